/** Error codes shared by every surface; adapters map them to transport statuses. */
export const errorCodes = [
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "gone",
  "payload_too_large",
  "unprocessable",
  "rate_limited",
  "not_ready",
  "internal",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** An expected failure with a stable code, a message key from the catalogue and optional details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly messageKey: string | undefined;
  readonly params: Readonly<Record<string, string | number>>;
  readonly details: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    options: { messageKey?: string; params?: Record<string, string | number>; details?: unknown } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.messageKey = options.messageKey;
    this.params = options.params ?? {};
    this.details = options.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
