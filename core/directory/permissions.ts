import { parsePrincipal } from "../access/principal.ts";

/** What the directory knows about who is acting. */
export type Actor = { principal: string; functions: readonly string[] };

/**
 * HR maintains the directory. A system (an HRIS through an API key with the right scope) may too;
 * a person may only when they are HR.
 */
export function mayMaintainDirectory(actor: Actor): boolean {
  const parsed = parsePrincipal(actor.principal);
  if (!parsed) return false;
  if (parsed.kind === "system") return true;
  return actor.functions.includes("hr");
}

/** The 12-month average wage and leave figures are entered by HR or finance. */
export function mayEnterPayFacts(actor: Actor): boolean {
  const parsed = parsePrincipal(actor.principal);
  if (!parsed) return false;
  if (parsed.kind === "system") return true;
  return actor.functions.includes("hr") || actor.functions.includes("finance");
}
