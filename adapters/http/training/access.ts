import type { Context } from "hono";
import { parsePrincipal } from "../../../core/access/principal.ts";
import { type Scope, scopeAllows } from "../../../core/access/scopes.ts";
import { AppError, isAppError } from "../../../core/errors.ts";
import { isMessageKey, type Locale, translate } from "../../../core/messages/index.ts";
import { employeePrincipal, mayManageTraining } from "../../../core/training/permissions.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import type { AppEnv } from "../services.ts";

function caller(c: Context<AppEnv>) {
  const auth = c.get("auth");
  if (!auth)
    throw new AppError("unauthorized", "Authentication is required.", { messageKey: "error.unauthorized" });
  return auth;
}

function isSystem(principal: string): boolean {
  return parsePrincipal(principal)?.kind === "system";
}

function forbidden(): AppError {
  return new AppError("forbidden", "This training belongs to someone else.", {
    messageKey: "training.error.not_yours",
  });
}

/**
 * Reading lessons and answering quizzes is for the employee themself (their session, or a key
 * acting for them), or a system acting for them (a chat surface, with `training:write`). HR does
 * not answer in an employee's name.
 */
export function requireLearner(c: Context<AppEnv>, employeeExternalId: string): string {
  const auth = caller(c);
  if (auth.principal === employeePrincipal(employeeExternalId)) return auth.principal;
  if (isSystem(auth.principal) && scopeAllows(auth.scopes, "training:write")) return auth.principal;
  throw forbidden();
}

/** Reading someone's training: themself, or HR / a system holding one of `scopes`. */
export async function requireReader(
  c: Context<AppEnv>,
  employeeExternalId: string | undefined,
  scopes: readonly Scope[] = ["training:write", "evidence:read"],
): Promise<string> {
  const auth = caller(c);
  if (employeeExternalId !== undefined && auth.principal === employeePrincipal(employeeExternalId)) {
    return auth.principal;
  }
  await requireManager(c, scopes);
  return auth.principal;
}

/** HR or a system, through a key with one of `scopes`. */
export async function requireManager(c: Context<AppEnv>, scopes: readonly Scope[]): Promise<string> {
  const auth = caller(c);
  const scope = scopes.find((s) => scopeAllows(auth.scopes, s));
  if (!scope) {
    throw new AppError("forbidden", `This API key lacks the scope ${scopes[0]}.`, {
      messageKey: "error.missing_scope",
      params: { scope: scopes.join(" or ") },
    });
  }
  const functions = await functionsOf(c.get("services").database.db, auth.principal);
  if (!mayManageTraining({ principal: auth.principal, functions })) {
    throw new AppError("forbidden", "Only HR manages training.", { messageKey: "training.error.hr_only" });
  }
  return auth.principal;
}

/** An AppError with its message in `locale` (pages show the message as it is). */
export function localizedError(error: unknown, locale: Locale): unknown {
  if (!isAppError(error) || !error.messageKey || !isMessageKey(error.messageKey)) return error;
  return new AppError(error.code, translate(locale, error.messageKey, error.params), {
    messageKey: error.messageKey,
    params: { ...error.params },
    details: error.details,
  });
}
