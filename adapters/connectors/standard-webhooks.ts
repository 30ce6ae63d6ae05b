import { Webhook } from "standardwebhooks";

/**
 * Standard Webhooks (https://www.standardwebhooks.com/) for OA, CRM and finance, both ways. The
 * signature is the package's: `v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` under the
 * `whsec_` secret. Freshness is checked here against an injected clock (the package reads
 * Date.now()), with the spec's 5-minute tolerance.
 */

export const toleranceSeconds = 5 * 60;

export type WebhookFailure = "missing_headers" | "bad_timestamp" | "stale" | "bad_signature";

/** The request was not signed by the secret's holder, or not recently: answer 401, do nothing. */
export class WebhookSignatureError extends Error {
  readonly reason: WebhookFailure;
  constructor(reason: WebhookFailure) {
    super(`webhook not verified (${reason})`);
    this.name = "WebhookSignatureError";
    this.reason = reason;
  }
}

/** A `whsec_…` secret that decodes to at least 24 bytes (the spec suggests 24–64). */
export function isWebhookSecret(secret: string): boolean {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return false;
  try {
    return atob(secret.slice("whsec_".length)).length >= 24;
  } catch {
    return false;
  }
}

export type VerifiedWebhook = { id: string; timestamp: Date };

type HeaderSource = { get(name: string): string | null | undefined } | Record<string, string | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function")
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  const record = headers as Record<string, string | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

/** Compares two strings without stopping at the first difference. */
function sameString(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

/**
 * Verifies the three `webhook-*` headers over the raw body, exactly as received. Several
 * space-separated signatures are allowed (secret rotation); any `v1` match passes.
 */
export function verifyWebhook(
  secret: string,
  rawBody: string,
  headers: HeaderSource,
  now: Date,
): VerifiedWebhook {
  const id = header(headers, "webhook-id");
  const stamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !stamp || !signatures) throw new WebhookSignatureError("missing_headers");
  if (!/^\d{1,12}$/.test(stamp)) throw new WebhookSignatureError("bad_timestamp");
  const seconds = Number(stamp);
  if (Math.abs(Math.floor(now.getTime() / 1000) - seconds) > toleranceSeconds)
    throw new WebhookSignatureError("stale");
  const timestamp = new Date(seconds * 1000);
  const expected = new Webhook(secret).sign(id, timestamp, rawBody).slice("v1,".length);
  const matched = signatures
    .split(" ")
    .map((s) => s.split(","))
    .some(
      ([version, signature]) =>
        version === "v1" && signature !== undefined && sameString(signature, expected),
    );
  if (!matched) throw new WebhookSignatureError("bad_signature");
  return { id, timestamp };
}

/** The headers that sign `body` as message `id` sent at `at`. */
export function signWebhook(secret: string, id: string, at: Date, body: string): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}
