import { randomUUID } from "node:crypto";
import canonicalize from "canonicalize";
import { sha256Hex } from "../core/audit/chain.ts";
import {
  DeliveryDeferredError,
  foldChannelItems,
  messageOf,
  type NotificationSenders,
  type OutgoingMessage,
  PermanentDeliveryError,
  RateLimitedError,
  recipientTypeOf,
} from "../core/notifications/delivery.ts";
import type { Recipient } from "../core/notifications/notification.ts";
import {
  type BackoffPolicy,
  defaultBackoff,
  maxRetryAfterSeconds,
  nextTokenAt,
  retryDelayMs,
  tokensAt,
} from "../core/notifications/pacing.ts";
import type { Clock } from "../core/ports.ts";
import type { Database, Db } from "./client.ts";
import {
  type ClaimedItem,
  claimRows,
  dueDestinations,
  enqueueNotification,
  lockBuckets,
  markDead,
  markDeferred,
  markRateLimited,
  markRetry,
  markSent,
  nextDueAfter,
  releaseExpiredLeases,
  saveBuckets,
} from "./outbox.ts";
import { recordEvidence } from "./repositories/evidence.ts";
import { createWorkerLoop } from "./worker-loop.ts";

/** The logging the dispatcher needs (a pino logger fits). Ids and counts only. */
export type DispatcherLogger = {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

export type DispatcherOptions = {
  /** The sender of each recipient type (read on every claim, so a surface may plug in later). */
  senders: () => NotificationSenders;
  clock: Clock;
  logger?: DispatcherLogger;
  /** This instance's name on its leases. Default: a random id. */
  instanceId?: string;
  /** How long a claimed row stays this instance's; longer than any send may take. Default 60 s. */
  leaseMs?: number;
  /** Rows per claim. Default 500. */
  batchSize?: number;
  /** Destinations looked at per claim. Default 500. */
  maxDestinations?: number;
  /** Tries before a row is dead. Default 8. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** For the jitter; tests pass a fixed one. */
  random?: () => number;
  /** Channel alerts folded into one message at most. Default 50. */
  maxFold?: number;
  /** Destinations sent to at once. Default 32. */
  concurrency?: number;
  /** How often a started dispatcher looks for due rows nobody woke it for. Default 5 s. */
  pollMs?: number;
  /** How long a wake waits to gather more commits. Default 5 ms. */
  debounceMs?: number;
  /** After a transaction that recorded evidence commits (wake the chain writer). */
  afterCommit?: () => void;
};

export type DispatchReport = {
  /** Messages sent (a folded message counts once) and the rows they carried. */
  sent: number;
  rowsSent: number;
  /** Rows that failed and will be tried again, or were put back by a 429. */
  retried: number;
  rateLimited: number;
  /** Rows that cannot go yet (no channel bound): they wait without counting a try. */
  deferred: number;
  dead: number;
  /** When something is due next (a row's time, a token, a Retry-After), if known. */
  nextAt: Date | null;
};

export type Dispatcher = {
  readonly instanceId: string;
  /** Asks for a run soon (debounced); call it after a transaction that enqueued notifications commits. */
  wake(): void;
  /** Sends everything due now that the rate limits allow, claim after claim, and reports. */
  runOnce(): Promise<DispatchReport>;
  start(): void;
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
};

type Claim = { messages: OutgoingMessage[]; nextAt: Date | null; more: boolean };

const emptyReport = (): DispatchReport => ({
  sent: 0,
  rowsSent: 0,
  retried: 0,
  rateLimited: 0,
  deferred: 0,
  dead: 0,
  nextAt: null,
});

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** HR hears about dead messages, except those that were going to HR anyway (no alert loops). */
function alertsHr(recipient: Recipient): boolean {
  return !(recipient.type === "channel" && recipient.purpose === "hr");
}

/**
 * The outbox dispatcher. Each claim takes, in one transaction, the token buckets of the
 * destinations that have due rows (FOR UPDATE SKIP LOCKED: another instance busy with a destination
 * keeps it), then as many of their due rows as the buckets allow (FOR UPDATE SKIP LOCKED, leased to
 * this instance). Rows to one group channel that are due together fold into one message. Each
 * message's outcome is written in its own transaction: sent (with an evidence entry), retried with
 * backoff, put back until the platform's Retry-After, or dead with an HR alert.
 *
 * Delivery to a platform is at least once: if this instance dies between the platform's answer and
 * the commit, the lease runs out and another instance sends the row again. Everything else —
 * claiming, rate limits, folding, dead letters — holds across any number of instances.
 */
export function createDispatcher(database: Database, options: DispatcherOptions): Dispatcher {
  const { clock, logger } = options;
  const instanceId = options.instanceId ?? `dispatcher:${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 500;
  const maxDestinations = options.maxDestinations ?? 500;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = options.backoff ?? defaultBackoff;
  const random = options.random ?? Math.random;
  const maxFold = options.maxFold ?? 50;
  const concurrency = options.concurrency ?? 32;
  const pollMs = options.pollMs ?? 5000;
  const debounceMs = options.debounceMs ?? 5;

  const policyOf = (destination: string) => options.senders()[recipientTypeOf(destination)].rate;

  async function claim(): Promise<Claim> {
    const now = clock.now();
    await releaseExpiredLeases(database.db, now);
    return database.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      const due = await dueDestinations(tx, now, maxDestinations);
      const later = await nextDueAfter(tx, now);
      if (due.length === 0) return { messages: [], nextAt: later, more: false };
      const dueCount = new Map(due.map((d) => [d.destination, d.due]));
      const buckets = await lockBuckets(
        tx,
        due.map((d) => d.destination),
        (destination) => policyOf(destination).burst,
        now,
      );
      let nextAt: Date | null = later;
      // More destinations are due than one claim looks at: claim again once these are done.
      let more = due.length === maxDestinations;
      if (buckets.length < due.length) nextAt = new Date(now.getTime() + 50); // others hold some
      let budget = batchSize;
      const limits: { destination: string; rows: number; tokens: number; channel: boolean }[] = [];
      for (const bucket of buckets) {
        const policy = policyOf(bucket.destination);
        const channel = recipientTypeOf(bucket.destination) === "channel";
        const tokens = tokensAt(bucket, now, policy);
        const waiting = dueCount.get(bucket.destination) ?? 0;
        if (bucket.blockedUntil && bucket.blockedUntil > now) {
          nextAt = earliest(nextAt, bucket.blockedUntil);
          limits.push({ destination: bucket.destination, rows: 0, tokens, channel });
          continue;
        }
        const messages = Math.floor(tokens);
        const wanted = channel
          ? messages >= 1
            ? Math.min(waiting, maxFold)
            : 0
          : Math.min(waiting, messages);
        const rows = Math.min(wanted, budget);
        budget -= rows;
        limits.push({ destination: bucket.destination, rows, tokens, channel });
        if (rows < waiting) {
          const spent = channel ? Math.min(rows, 1) : rows;
          if (rows < wanted || (channel && rows > 0 && messages >= 2)) more = true;
          else nextAt = earliest(nextAt, nextTokenAt(tokens - spent, now, policy));
        }
      }
      const items = await claimRows(tx, {
        plan: { limits },
        now,
        worker: instanceId,
        leaseUntil: new Date(now.getTime() + leaseMs),
      });
      const byDestination = new Map<string, ClaimedItem[]>();
      for (const item of items) {
        const list = byDestination.get(item.destination) ?? [];
        list.push(item);
        byDestination.set(item.destination, list);
      }
      const messages: OutgoingMessage[] = [];
      const spent = limits.map((limit) => {
        const taken = byDestination.get(limit.destination) ?? [];
        if (limit.channel && taken.length > 0) {
          messages.push(foldChannelItems(taken));
          return { destination: limit.destination, tokens: limit.tokens - 1 };
        }
        for (const item of taken) messages.push(messageOf(item));
        return { destination: limit.destination, tokens: limit.tokens - taken.length };
      });
      await saveBuckets(tx, spent, now);
      return { messages, nextAt, more: more && items.length > 0 };
    });
  }

  /** Writes one message's outcome; returns how to count it. */
  async function settle(
    message: OutgoingMessage,
    outcome: { ok: true; reference: string | null } | { ok: false; error: unknown },
  ): Promise<"sent" | "retried" | "rateLimited" | "deferred" | "dead" | "lost"> {
    const ids = message.items.map((i) => i.outboxId);
    const now = clock.now();
    if (outcome.ok) {
      const contentSha256 = await sha256Hex(
        canonicalize({ kind: message.kind, recipient: message.recipient, data: message.data }) ?? "",
      );
      const kept = await database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const marked = await markSent(tx, { ids, worker: instanceId, at: now, reference: outcome.reference });
        if (marked.length === 0) return marked;
        await recordEvidence(tx, {
          at: now,
          actor: "system:baton",
          action: "notification.sent",
          subject: `outbox:${ids[0]}`,
          data: {
            outboxIds: marked,
            kind: message.kind,
            destination: message.destination,
            contentSha256,
            ...(outcome.reference ? { reference: outcome.reference } : {}),
          },
        });
        return marked;
      });
      if (kept.length < ids.length) {
        logger?.warn(
          { outboxIds: ids, kept },
          "lease lost before the outcome was written; may be sent again",
        );
      }
      if (kept.length > 0) options.afterCommit?.();
      return kept.length > 0 ? "sent" : "lost";
    }

    const { error } = outcome;
    if (error instanceof DeliveryDeferredError) {
      const until = new Date(now.getTime() + error.retryAfterSeconds * 1000);
      await database.db.transaction((transaction) =>
        markDeferred(transaction as unknown as Db, {
          ids,
          worker: instanceId,
          until,
          reason: errorText(error),
        }),
      );
      logger?.debug({ outboxIds: ids, error: error.name }, "not deliverable yet; waits");
      return "deferred";
    }
    if (error instanceof RateLimitedError) {
      const seconds = Math.min(
        error.retryAfterSeconds ?? 1 / policyOf(message.destination).ratePerSecond,
        maxRetryAfterSeconds,
      );
      const until = new Date(now.getTime() + Math.ceil(seconds * 1000));
      await database.db.transaction((transaction) =>
        markRateLimited(transaction as unknown as Db, {
          ids,
          worker: instanceId,
          destination: message.destination,
          until,
          now,
        }),
      );
      logger?.debug({ outboxIds: ids, retryAfterSeconds: seconds }, "rate limited; put back");
      return "rateLimited";
    }

    const text = errorText(error);
    const permanent = error instanceof PermanentDeliveryError;
    // The sender told HR already (with what to do); a second, vaguer alert would only be noise.
    const hrAlerted = permanent && error.hrAlerted;
    const exhausted = message.items.filter((i) => permanent || (i.attempts ?? 1) >= maxAttempts);
    const again = message.items.filter((i) => !exhausted.includes(i));
    let alerted = false;
    await database.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      for (const item of again) {
        const notBefore = new Date(now.getTime() + retryDelayMs(item.attempts ?? 1, backoff, random));
        await markRetry(tx, { ids: [item.outboxId], worker: instanceId, notBefore, error: text });
      }
      if (exhausted.length === 0) return;
      const dead = await markDead(tx, {
        ids: exhausted.map((i) => i.outboxId),
        worker: instanceId,
        at: now,
        error: text,
      });
      for (const row of dead) {
        if (hrAlerted || !alertsHr(row.recipient)) continue;
        alerted =
          (await enqueueNotification(
            tx,
            {
              kind: "hr.alert",
              recipient: { type: "channel", purpose: "hr" },
              data: {
                alert: "outbox.dead",
                outboxId: row.id,
                kind: row.kind,
                destination: row.destination,
                attempts: row.attempts,
              },
              dedupeKey: `outbox.dead:${row.id}:${now.toISOString()}`,
              urgency: "normal",
            },
            now,
          )) || alerted;
      }
    });
    const errorName = error instanceof Error ? error.name : "Error";
    if (exhausted.length > 0) {
      logger?.error(
        { outboxIds: exhausted.map((i) => i.outboxId), error: errorName },
        "notification dead after its last try",
      );
    }
    if (again.length > 0) {
      logger?.debug({ outboxIds: again.map((i) => i.outboxId), error: errorName }, "send failed; will retry");
    }
    if (alerted) wake();
    return exhausted.length > 0 && again.length === 0 ? "dead" : "retried";
  }

  /** Sends one message and writes its outcome; returns the 429 when the platform refused it for now. */
  async function sendOne(
    message: OutgoingMessage,
    report: DispatchReport,
  ): Promise<RateLimitedError | undefined> {
    const entry = options.senders()[message.recipient.type];
    let outcome: Parameters<typeof settle>[1];
    const overdue = message.items.filter((i) => (i.attempts ?? 1) > maxAttempts);
    if (overdue.length > 0) {
      // Claimed again after lease expiries (an instance died while sending it) more often than allowed.
      outcome = { ok: false, error: new Error("gave up: the lease ran out on every try") };
    } else {
      try {
        const result = await entry.sender.send(message);
        outcome = { ok: true, reference: result.reference ?? null };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }
    let counted: Awaited<ReturnType<typeof settle>>;
    try {
      counted = await settle(message, outcome);
    } catch (error) {
      logger?.error(
        { outboxIds: message.items.map((i) => i.outboxId), error: (error as Error).name },
        "could not record a send outcome; the lease will run out and it is tried again",
      );
      return undefined;
    }
    const rows = message.items.length;
    if (counted === "sent") {
      report.sent += 1;
      report.rowsSent += rows;
    } else if (counted === "retried") report.retried += rows;
    else if (counted === "rateLimited") report.rateLimited += rows;
    else if (counted === "deferred") report.deferred += rows;
    else if (counted === "dead") report.dead += rows;
    return counted === "rateLimited" && !outcome.ok && outcome.error instanceof RateLimitedError
      ? outcome.error
      : undefined;
  }

  /** Sends a claim's messages: destinations side by side (up to `concurrency`), each in order. */
  async function deliver(messages: readonly OutgoingMessage[], report: DispatchReport): Promise<void> {
    const queues = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const queue = queues.get(message.destination) ?? [];
      queue.push(message);
      queues.set(message.destination, queue);
    }
    const pending = [...queues.values()];
    const workers = Array.from({ length: Math.min(concurrency, pending.length) }, async () => {
      for (let queue = pending.shift(); queue; queue = pending.shift()) {
        for (let i = 0; i < queue.length; i++) {
          const refused = await sendOne(queue[i] as OutgoingMessage, report);
          if (!refused) continue;
          // A 429 holds the whole destination: the rest of its queue waits for the same Retry-After.
          for (const rest of queue.slice(i + 1)) {
            const counted = await settle(rest, { ok: false, error: refused }).catch(() => "lost");
            if (counted === "rateLimited") report.rateLimited += rest.items.length;
          }
          break;
        }
      }
    });
    await Promise.all(workers);
  }

  async function runOnceUnqueued(): Promise<DispatchReport> {
    const report = emptyReport();
    for (;;) {
      const claimed = await claim();
      report.nextAt = claimed.nextAt;
      if (claimed.messages.length > 0) await deliver(claimed.messages, report);
      if (claimed.messages.length === 0 && !claimed.more) break;
    }
    return report;
  }

  const loop = createWorkerLoop(runOnceUnqueued, {
    pollMs,
    debounceMs,
    nextIn: (report) => {
      if (report.sent + report.dead > 0) {
        logger?.debug({ sent: report.sent, rows: report.rowsSent, dead: report.dead }, "outbox dispatched");
      }
      return report.nextAt ? report.nextAt.getTime() - clock.now().getTime() : undefined;
    },
    onError: (error) => logger?.error({ error: (error as Error).name }, "dispatching failed; will retry"),
  });
  const wake = loop.wake;

  return { instanceId, wake, runOnce: loop.runOnce, start: loop.start, stop: loop.stop };
}
