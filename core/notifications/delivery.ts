import type { Recipient } from "./notification.ts";

/** One outbox row as the dispatcher hands it over. */
export type OutboxItem = {
  outboxId: number;
  kind: string;
  recipient: Recipient;
  destination: string;
  data: Record<string, unknown>;
  dedupeKey: string;
  urgency: "legal" | "normal";
  createdAt: Date;
  /** Tries so far, this one included (the dispatcher always sets it). */
  attempts?: number;
};

/** The kind of a message that carries several channel alerts at once. */
export const foldedKind = "notification.batch";

/**
 * What a sender delivers: one outbox row, or — for a group channel only — several rows of one
 * destination folded into one message (`kind` is `notification.batch`, `items` lists them all).
 */
export type OutgoingMessage = {
  kind: string;
  recipient: Recipient;
  destination: string;
  data: Record<string, unknown>;
  urgency: "legal" | "normal";
  /** The rows this message carries, in order (one unless folded). */
  items: readonly OutboxItem[];
};

export type SendResult = {
  /** The platform's id of what was sent (message ts, message id), kept on the outbox rows. */
  reference?: string;
};

/**
 * Sends messages for one recipient type (`person`, `channel`, `system`). Surfaces and connectors
 * implement it; until they exist a recording sink does. Throw `RateLimitedError` on a 429 and
 * `PermanentDeliveryError` when retrying cannot help; any other error is retried with backoff.
 */
export type NotificationSender = {
  send(message: OutgoingMessage): Promise<SendResult>;
};

/** A per-destination token bucket: `burst` messages at once, then `ratePerSecond`. */
export type RatePolicy = { ratePerSecond: number; burst: number };

export type SenderEntry = { sender: NotificationSender; rate: RatePolicy };

export type NotificationSenders = Record<Recipient["type"], SenderEntry>;

/** The platform said "too many requests"; `retryAfterSeconds` is its Retry-After, when it gave one. */
export class RateLimitedError extends Error {
  readonly retryAfterSeconds: number | undefined;
  constructor(retryAfterSeconds?: number, message = "rate limited") {
    super(message);
    this.name = "RateLimitedError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Nothing can be delivered yet for a reason outside the message (no channel bound for the
 * purpose): the row waits `retryAfterSeconds` without counting a try, and never dies of it.
 */
export class DeliveryDeferredError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = "DeliveryDeferredError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Retrying cannot help (the user or channel does not exist, the payload is refused): dead at once.
 * `hrAlerted`: the sender has already told HR why and what to do (Teams: the app is not installed
 * for the person), so the dispatcher raises no "dead letter" alert of its own for the same cause.
 */
export class PermanentDeliveryError extends Error {
  readonly hrAlerted: boolean;
  constructor(message: string, options: { hrAlerted?: boolean } = {}) {
    super(message);
    this.name = "PermanentDeliveryError";
    this.hrAlerted = options.hrAlerted ?? false;
  }
}

/** Which type of recipient a destination key belongs to (`person:…`, `channel:…`, `system:…`). */
export function recipientTypeOf(destination: string): Recipient["type"] {
  const prefix = destination.slice(0, destination.indexOf(":"));
  if (prefix === "person" || prefix === "channel" || prefix === "system") return prefix;
  throw new RangeError(`unknown destination type: ${prefix}`);
}

/**
 * Several pending rows to one group channel that are due together become one message that lists
 * them all; a single row goes as itself. Only channel rows may be folded: a person's messages and
 * connector calls are each their own.
 */
export function foldChannelItems(items: readonly OutboxItem[]): OutgoingMessage {
  const [first] = items;
  if (!first) throw new RangeError("nothing to fold");
  if (items.some((i) => i.destination !== first.destination || i.recipient.type !== "channel")) {
    throw new RangeError("only rows to one group channel fold together");
  }
  if (items.length === 1) return messageOf(first);
  return {
    kind: foldedKind,
    recipient: first.recipient,
    destination: first.destination,
    urgency: items.some((i) => i.urgency === "legal") ? "legal" : "normal",
    data: {
      count: items.length,
      items: items.map((i) => ({ outboxId: i.outboxId, kind: i.kind, urgency: i.urgency, data: i.data })),
    },
    items,
  };
}

/** One row as its own message. */
export function messageOf(item: OutboxItem): OutgoingMessage {
  return {
    kind: item.kind,
    recipient: item.recipient,
    destination: item.destination,
    data: item.data,
    urgency: item.urgency,
    items: [item],
  };
}
