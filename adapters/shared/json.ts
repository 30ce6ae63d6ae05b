/**
 * Reading untrusted platform JSON (webhook bodies, card payloads): narrowing helpers that every
 * chat adapter's parse/verify/limits code uses, and the 400 a malformed body answers.
 */

import { AppError } from "../../core/errors.ts";
import type { ParseResult, RawRequest } from "./surface.ts";

export type Json = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A non-empty string, else undefined. */
export const str = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** The object, or an empty one for anything else (so nested reads never throw). */
export const obj = (value: unknown): Json => (isObject(value) ? value : {});

/** Throws the 400 AppError a malformed platform request answers. */
export function badRequest(message: string): never {
  throw new AppError("bad_request", message);
}

/** Parses JSON text; malformed text is a 400 (`<what> is not valid JSON`). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return badRequest(`${what} is not valid JSON`);
  }
}

/** Parses JSON text; malformed text → undefined (for values that may simply not be ours). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `text` as a literal inside a regular expression. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The request's media type (`Content-Type` without parameters), lower-cased; "" when absent. */
export function mediaType(request: Pick<RawRequest, "headers">): string {
  return (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * The `url_verification` handshake Slack and Lark send when an events URL is saved: answer 200
 * with its `challenge` echoed as JSON; one without a challenge is a 400.
 */
export function urlVerification(body: Json): ParseResult<never> {
  const challenge = str(body.challenge) ?? badRequest("url_verification without challenge");
  return { kind: "handshake", status: 200, body: { challenge } };
}
