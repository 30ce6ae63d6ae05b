import { parsePrincipal } from "../access/principal.ts";
import type { Actor } from "../directory/permissions.ts";

/** HR imports courses, assigns them and reads reports; so may a system through an API key. */
export function mayManageTraining(actor: Actor): boolean {
  const parsed = parsePrincipal(actor.principal);
  if (!parsed) return false;
  if (parsed.kind === "system") return true;
  return actor.functions.includes("hr");
}

/** The employee's own principal, which alone may read lessons and answer quizzes in their name. */
export function employeePrincipal(externalId: string): string {
  return `employee:${externalId}`;
}
