/**
 * Our own check of a request to `POST /webhooks/lark` (shared/reference/lark-dingtalk.md §A1–A2),
 * on the raw body — the SDK's dispatcher hashes re-serialised JSON, checks nothing without an
 * encrypt key, and answers a bad signature with an empty 200:
 *
 * - `X-Lark-Signature` = lowercase hex SHA-256 (plain hash, not HMAC) of
 *   `X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt key + raw body`, compared in
 *   constant time;
 * - the timestamp (Unix seconds) may be at most {@link larkMaxAgeSeconds} old — Lark re-pushes an
 *   event for ~7.1 h (15 s, 5 min, 1 h, 6 h), so a redelivery is still accepted and deduplicated —
 *   and at most {@link larkMaxFutureSeconds} ahead of our clock;
 * - the body `{"encrypt":"…"}` is AES-256-CBC: key = SHA-256(encrypt key), IV = the first 16 bytes
 *   of the base64-decoded value, PKCS#7 padding;
 * - the verification token inside (`header.token` for schema 2.0, else `token`) must match too;
 * - the URL-verification challenge comes without signature headers: it is accepted unsigned only
 *   when (after decryption) it is a `url_verification` carrying the right token, as the official Go
 *   SDK does.
 *
 * Pure: the clock is a parameter. Node's `crypto` (the Slack surface does the same).
 */

import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError } from "../../core/errors.ts";
import { isObject, type Json } from "../shared/json.ts";
import type { RawRequest, VerifyFailure } from "../shared/surface.ts";

/** Lark's retry span (~7.1 h) and some margin: older requests are refused as stale. */
export const larkMaxAgeSeconds = 8 * 60 * 60;
/** Clock skew tolerated for a timestamp ahead of ours. */
export const larkMaxFutureSeconds = 5 * 60;

export type LarkSecrets = { encryptKey: string; verificationToken: string };

/** A verified request: its decrypted JSON, and whether it is the URL-verification handshake. */
export type LarkVerified = { ok: true; payload: Json; handshake: boolean; signed: boolean };
export type LarkVerifyResult = LarkVerified | VerifyFailure;

/** The `X-Lark-Signature` Lark sends for this body (also used by tests and fakes). */
export function larkSignature(
  timestamp: string | number,
  nonce: string,
  encryptKey: string,
  body: string,
): string {
  return createHash("sha256").update(`${timestamp}${nonce}${encryptKey}${body}`, "utf8").digest("hex");
}

function cipherKey(encryptKey: string): Buffer {
  return createHash("sha256").update(encryptKey, "utf8").digest();
}

/** Decrypts an `encrypt` value; throws when it is not one made with this key. */
export function decryptLark(encrypted: string, encryptKey: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw new Error("encrypt is not base64");
  const bytes = Buffer.from(encrypted, "base64");
  if (bytes.length < 32 || bytes.length % 16 !== 0) throw new Error("encrypt has a wrong length");
  const decipher = createDecipheriv("aes-256-cbc", cipherKey(encryptKey), bytes.subarray(0, 16));
  return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString("utf8");
}

/** Encrypts like Lark does (for tests and fakes): base64(IV ‖ AES-256-CBC ciphertext). */
export function encryptLark(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv("aes-256-cbc", cipherKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}

/** The body as JSON, decrypted when it is `{"encrypt": …}`; throws on anything else. */
export function openLarkBody(body: string, encryptKey: string): Json {
  const outer: unknown = JSON.parse(body);
  if (!isObject(outer)) throw new Error("body is not a JSON object");
  if (typeof outer.encrypt !== "string") return outer;
  const inner: unknown = JSON.parse(decryptLark(outer.encrypt, encryptKey));
  if (!isObject(inner)) throw new Error("decrypted body is not a JSON object");
  return inner;
}

/** The verification token a payload carries: `header.token` (schema 2.0), else `token`. */
export function tokenOf(payload: Json): string | undefined {
  const token = payload.schema === "2.0" && isObject(payload.header) ? payload.header.token : payload.token;
  return typeof token === "string" ? token : undefined;
}

function equalSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

const fail = (reason: string): VerifyFailure => ({ ok: false, status: 401, reason });

export function verifyLarkRequest(request: RawRequest, now: Date, secrets: LarkSecrets): LarkVerifyResult {
  if (!secrets.encryptKey || !secrets.verificationToken)
    return fail("LARK_ENCRYPT_KEY and LARK_VERIFICATION_TOKEN must be configured");
  const timestamp = request.headers["x-lark-request-timestamp"];
  const nonce = request.headers["x-lark-request-nonce"];
  const signature = request.headers["x-lark-signature"];

  if (timestamp === undefined && nonce === undefined && signature === undefined) {
    // Only the URL-verification challenge comes unsigned; its token authenticates it.
    let payload: Json;
    try {
      payload = openLarkBody(request.body, secrets.encryptKey);
    } catch {
      return fail("missing signature headers");
    }
    if (payload.type !== "url_verification") return fail("missing signature headers");
    if (!equalSecret(tokenOf(payload), secrets.verificationToken)) return fail("wrong verification token");
    return { ok: true, payload, handshake: true, signed: false };
  }

  if (!timestamp || nonce === undefined || !signature) return fail("missing signature headers");
  if (!/^\d{1,12}$/.test(timestamp)) return fail("malformed timestamp");
  const age = now.getTime() / 1000 - Number(timestamp);
  if (age > larkMaxAgeSeconds) return fail("stale timestamp");
  if (-age > larkMaxFutureSeconds) return fail("timestamp in the future");
  if (!/^[0-9a-f]{64}$/.test(signature)) return fail("malformed signature");
  const expected = Buffer.from(larkSignature(timestamp, nonce, secrets.encryptKey, request.body), "hex");
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) return fail("bad signature");

  let payload: Json;
  try {
    payload = openLarkBody(request.body, secrets.encryptKey);
  } catch (error) {
    // Correctly signed but unreadable: not something Lark sends.
    throw new AppError("bad_request", `Lark body cannot be read: ${(error as Error).message}`);
  }
  if (!equalSecret(tokenOf(payload), secrets.verificationToken)) return fail("wrong verification token");
  return { ok: true, payload, handshake: payload.type === "url_verification", signed: true };
}
