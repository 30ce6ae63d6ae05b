import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Structured JSON logs. Handlers log ids, route patterns and counts only — never headers, bodies,
 * tokens or personal data; the redaction list is a second line of defence, not the first.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "baton" },
    redact: {
      paths: [
        "headers",
        "*.headers",
        "authorization",
        "*.authorization",
        "cookie",
        "*.cookie",
        "token",
        "*.token",
        "key",
        "*.key",
        "secret",
        "*.secret",
        "password",
        "*.password",
        "url",
        "*.url",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
