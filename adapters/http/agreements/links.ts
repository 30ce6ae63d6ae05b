import { AppError } from "../../../core/errors.ts";
import { employeeById, findRequest } from "../../../db/agreements/requests.ts";
import { safeRedirectPath } from "../links/actions.ts";
import type { Services } from "../services.ts";
import { signPurpose } from "./sign-action.ts";

export type SigningLinks = {
  /** The signing page: needs the employee's own session. */
  signUrl: string;
  /** A one-time login link that opens the employee's session and goes on to the signing page. */
  loginUrl: string;
  expiresAt: string;
};

/**
 * The two links a signature request sends to the employee's own chat or e-mail (never to a group):
 * a login link for that employee that continues to the signing page, and the signing link itself.
 * Both are secrets: they are made when a message is sent, never stored in the outbox.
 */
export async function issueSigningLinks(
  services: Pick<Services, "database" | "linkTokens">,
  requestId: string,
  ttlSeconds: number,
): Promise<SigningLinks> {
  const db = services.database.db;
  const request = await findRequest(db, requestId);
  if (!request) throw new AppError("not_found", "", { messageKey: "agreement.request_not_found" });
  if (request.status === "signed")
    throw new AppError("conflict", "", { messageKey: "agreement.already_signed" });
  const employee = await employeeById(db, request.employeeId);
  if (employee?.status !== "active")
    throw new AppError("unprocessable", "", { messageKey: "agreement.not_active" });
  const principal = `employee:${employee.externalId}`;
  const sign = await services.linkTokens.issue({
    principal,
    purpose: signPurpose,
    ttlSeconds,
    data: { requestId: request.id },
  });
  const next = safeRedirectPath(new URL(sign.url).pathname);
  if (!next) throw new AppError("internal", "The signing link is too long to follow a login.");
  const login = await services.linkTokens.issue({ principal, purpose: "login", ttlSeconds, data: { next } });
  return { signUrl: sign.url, loginUrl: login.url, expiresAt: sign.expiresAt.toISOString() };
}
