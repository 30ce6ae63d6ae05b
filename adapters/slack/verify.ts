/**
 * Slack request signatures (shared/reference/slack-teams.md §A1): `X-Slack-Signature` =
 * `v0=` + hex HMAC-SHA256(signing secret, `v0:<X-Slack-Request-Timestamp>:<raw body>`), accepted only
 * within ±5 minutes of `now` (Bolt itself accepts future timestamps; we do not) and compared in
 * constant time. Pure: the clock is a parameter.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import type { RawRequest, VerifyResult } from "../shared/surface.ts";

/** How far a request's timestamp may be from our clock, in seconds. */
export const slackToleranceSeconds = 300;

export type SlackSignatureInput = {
  signingSecret: string;
  /** The raw body exactly as received. */
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now: Date;
};

/** The `v0=…` signature Slack would send for this body at this timestamp (also used by tests and fakes). */
export function slackSignature(signingSecret: string, timestamp: string | number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`, "utf8").digest("hex")}`;
}

export function verifySlackSignature(input: SlackSignatureInput): VerifyResult {
  const { timestamp, signature } = input;
  if (!input.signingSecret) return { ok: false, status: 401, reason: "no signing secret configured" };
  if (!timestamp || !signature) return { ok: false, status: 401, reason: "missing signature headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, status: 401, reason: "malformed timestamp" };
  const skew = Math.abs(input.now.getTime() / 1000 - Number(timestamp));
  if (!(skew <= slackToleranceSeconds)) return { ok: false, status: 401, reason: "stale timestamp" };
  if (!/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, status: 401, reason: "malformed signature" };
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.body), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, status: 401, reason: "bad signature" };
  return { ok: true };
}

/** Verifies a request as it reached `POST /webhooks/slack` (header names lower-cased). */
export function verifySlackRequest(request: RawRequest, now: Date, signingSecret: string): VerifyResult {
  return verifySlackSignature({
    signingSecret,
    body: request.body,
    timestamp: request.headers["x-slack-request-timestamp"],
    signature: request.headers["x-slack-signature"],
    now,
  });
}
