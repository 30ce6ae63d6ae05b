/**
 * DingTalk signatures (shared/reference/lark-dingtalk.md §B6–B7).
 *
 * The app robot's HTTP callback (`POST /webhooks/dingtalk`) carries the headers `timestamp` (Unix
 * ms) and `sign` = Base64(HMAC-SHA256(key = app secret, `timestamp + "\n" + app secret`)). Both
 * must pass: the timestamp within ±1 hour of our clock, the sign compared in constant time.
 *
 * The sign does **not** cover the body — it only proves someone knew the secret at that moment —
 * so a captured pair could carry another body for up to an hour. {@link verifyDingTalkRequest}
 * therefore returns the pair and how long to remember it: the wiring stores used pairs and refuses
 * a second use (a redelivery with the same `msgId` but a new pair is still deduplicated by `msgId`).
 *
 * The same formula signs the legacy custom group robot's webhook URL ({@link signedRobotWebhookUrl}).
 * Pure: the clock is a parameter.
 */

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { RawRequest, VerifyFailure } from "../shared/surface.ts";

/** How far a callback's timestamp may be from our clock, in milliseconds. */
export const dingtalkToleranceMs = 60 * 60 * 1000;

/** A verified callback: the pair to remember until `rememberUntil`, so it is used once. */
export type DingTalkVerified = {
  ok: true;
  timestamp: string;
  sign: string;
  /** `timestamp:sign`, the key under which the wiring remembers the pair. */
  replayKey: string;
  /** After this the timestamp is stale anyway, so the pair can be forgotten. */
  rememberUntil: Date;
};
export type DingTalkVerifyResult = DingTalkVerified | VerifyFailure;

/** Base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)) — the callback `sign` and the robot sign. */
export function dingtalkSign(secret: string, timestamp: string | number): string {
  return createHmac("sha256", secret).update(`${timestamp}\n${secret}`, "utf8").digest("base64");
}

const fail = (reason: string): VerifyFailure => ({ ok: false, status: 401, reason });

export function verifyDingTalkSignature(input: {
  appSecret: string;
  timestamp: string | undefined;
  sign: string | undefined;
  now: Date;
}): DingTalkVerifyResult {
  const { timestamp, sign, appSecret } = input;
  if (!appSecret) return fail("DINGTALK_APP_SECRET must be configured");
  if (!timestamp || !sign) return fail("missing timestamp or sign");
  if (!/^\d{1,15}$/.test(timestamp)) return fail("malformed timestamp");
  const skew = Math.abs(input.now.getTime() - Number(timestamp));
  if (!(skew <= dingtalkToleranceMs)) return fail("stale timestamp");
  if (!/^[A-Za-z0-9+/]{43}=$/.test(sign)) return fail("malformed sign");
  // Equal-length digests of both, so the comparison takes the same time whatever was sent.
  const expected = createHash("sha256").update(dingtalkSign(appSecret, timestamp)).digest();
  const given = createHash("sha256").update(sign).digest();
  if (!timingSafeEqual(expected, given)) return fail("bad sign");
  return {
    ok: true,
    timestamp,
    sign,
    replayKey: `${timestamp}:${sign}`,
    rememberUntil: new Date(Number(timestamp) + dingtalkToleranceMs),
  };
}

/** Verifies a request as it reached `POST /webhooks/dingtalk` (header names lower-cased). */
export function verifyDingTalkRequest(
  request: RawRequest,
  now: Date,
  appSecret: string,
): DingTalkVerifyResult {
  return verifyDingTalkSignature({
    appSecret,
    timestamp: request.headers.timestamp,
    sign: request.headers.sign,
    now,
  });
}

/**
 * The legacy custom group robot's webhook URL with `&timestamp=<ms>&sign=<urlencoded sign>`
 * (secret `SEC…`; DingTalk accepts it within an hour of its clock).
 */
export function signedRobotWebhookUrl(webhookUrl: string, secret: string, now: Date): string {
  const url = new URL(webhookUrl);
  if (url.protocol !== "https:") throw new RangeError("the robot webhook must be an https URL");
  const timestamp = String(now.getTime());
  url.searchParams.delete("timestamp");
  url.searchParams.delete("sign");
  // encodeURIComponent on the Base64 (`+ / =` → `%2B %2F %3D`), as DingTalk's own samples do.
  const query = `timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
  const search = url.search === "" ? `?${query}` : `${url.search}&${query}`;
  return `${url.origin}${url.pathname}${search}`;
}
