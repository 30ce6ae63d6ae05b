import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import { signWebhook } from "./standard-webhooks.ts";

/** Where a connector sends: the system's URL and the Standard Webhooks secret both sides hold. */
export type ConnectorEndpoint = {
  system: string;
  url: string;
  secret: string;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Tests inject one; default the global fetch. */
  fetch?: typeof fetch;
};

export const defaultTimeoutMs = 10_000;

/**
 * The system did not answer in time, answered 5xx, or could not be reached: the dispatcher retries
 * with backoff and dead-letters after its last try (with an HR alert).
 */
export class ConnectorUnavailableError extends Error {
  readonly system: string;
  readonly status: number | undefined;
  constructor(system: string, reason: string, status?: number) {
    super(`${system} is unavailable: ${reason}`);
    this.name = "ConnectorUnavailableError";
    this.system = system;
    this.status = status;
  }
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * POSTs `payload` as signed JSON. Resolves on 2xx. Throws what the outbox dispatcher expects:
 * `RateLimitedError` on 429 (with Retry-After), `ConnectorUnavailableError` on a timeout, a network
 * failure or 5xx (retried), `PermanentDeliveryError` on any other answer (retrying cannot help).
 * `messageId` must be the same on every retry, so the receiver can drop duplicates.
 */
export async function postSignedJson(
  endpoint: ConnectorEndpoint,
  input: { messageId: string; payload: unknown; now: Date },
): Promise<void> {
  const body = JSON.stringify(input.payload);
  const doFetch = endpoint.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Baton",
        ...signWebhook(endpoint.secret, input.messageId, input.now, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? defaultTimeoutMs),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    throw new ConnectorUnavailableError(
      endpoint.system,
      name === "TimeoutError" || name === "AbortError" ? "timed out" : "not reachable",
    );
  }
  // The body is not needed; release the connection.
  await response.body?.cancel().catch(() => {});
  if (response.status >= 200 && response.status < 300) return;
  if (response.status === 429) {
    throw new RateLimitedError(
      retryAfterSeconds(response.headers.get("retry-after"), input.now),
      `${endpoint.system} answered 429`,
    );
  }
  if (response.status >= 500 || response.status === 408) {
    throw new ConnectorUnavailableError(endpoint.system, `answered ${response.status}`, response.status);
  }
  throw new PermanentDeliveryError(`${endpoint.system} refused the request (${response.status})`);
}
