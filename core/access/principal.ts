/**
 * Who acts. A principal is written `kind:id` — `employee:E1001`, `system:oa`, `test:alice`.
 * People arrive with the directory; until then any well-formed principal is accepted.
 */
export type Principal = `${PrincipalKind}:${string}`;

export const principalKinds = ["employee", "system", "test"] as const;
export type PrincipalKind = (typeof principalKinds)[number];

const principalPattern = /^(employee|system|test):[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

export function isPrincipal(value: string): value is Principal {
  return principalPattern.test(value);
}

export function parsePrincipal(value: string): { kind: PrincipalKind; id: string } | undefined {
  if (!isPrincipal(value)) return undefined;
  const at = value.indexOf(":");
  return { kind: value.slice(0, at) as PrincipalKind, id: value.slice(at + 1) };
}
