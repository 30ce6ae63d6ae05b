import type { Context } from "hono";
import { AppError, type ErrorCode } from "../../core/errors.ts";
import { isMessageKey, type Locale, negotiateLocale, translate } from "../../core/messages/index.ts";
import type { AppEnv } from "./services.ts";

export const statusOf: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 500 | 503> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  not_ready: 503,
  internal: 500,
};

export function requestLocale(c: Context<AppEnv>, fallback: Locale = "en"): Locale {
  return negotiateLocale(c.req.header("accept-language"), fallback);
}

/** The one error body: `{ error: { code, message, details?, requestId } }`. */
export function errorResponse(c: Context<AppEnv>, error: AppError): Response {
  const locale = requestLocale(c);
  const key = error.messageKey ?? (error.message ? undefined : `error.${error.code}`);
  const message =
    key && isMessageKey(key)
      ? translate(locale, key, { ...error.params, requestId: c.get("requestId") })
      : error.message;
  const body: { error: { code: ErrorCode; message: string; details?: unknown; requestId: string } } = {
    error: { code: error.code, message, requestId: c.get("requestId") },
  };
  if (error.details !== undefined) body.error.details = error.details;
  return c.json(body, statusOf[error.code], { "cache-control": "no-store" });
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError("bad_request", message, { messageKey: "error.bad_request", details });
