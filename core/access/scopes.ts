/** Scopes an API key may carry. `*` is reserved for the bootstrap admin token. */
export const knownScopes = [
  "admin",
  "employees:read",
  "employees:write",
  "employees:sensitive",
  "cases:read",
  "cases:write",
  "cases:admin",
  "evidence:read",
  "agreements:write",
  "training:write",
  "calendar:write",
  "channels:write",
] as const;

export type Scope = (typeof knownScopes)[number];

export function isKnownScope(value: string): value is Scope {
  return (knownScopes as readonly string[]).includes(value);
}

/** True when a holder of `granted` may use an operation that needs `needed`. */
export function scopeAllows(granted: readonly string[], needed: Scope): boolean {
  return granted.includes("*") || granted.includes(needed);
}
