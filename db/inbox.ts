import { createHash, randomUUID } from "node:crypto";
import canonicalize from "canonicalize";
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { isAppError } from "../core/errors.ts";
import { type BackoffPolicy, retryDelayMs } from "../core/notifications/pacing.ts";
import type { Clock } from "../core/ports.ts";
import type { Database, Db } from "./client.ts";
import { enqueueNotification } from "./outbox.ts";
import { inbox } from "./schema/index.ts";
import { createWorkerLoop } from "./worker-loop.ts";

export type InboundInput = {
  /** Who sent it, e.g. `connector:oa`, `slack`, `lark`. */
  source: string;
  /** The platform's event id, the `webhook-id`, an `Idempotency-Key`: unique per source. */
  idempotencyKey: string;
  /** The verified request as JSON. */
  payload: unknown;
  receivedAt: Date;
  /**
   * When the worker may first take it (default: at once). A surface that processes the event
   * inline sets a moment past its deadline, so the worker only recovers it if that died.
   */
  notBefore?: Date;
};

/** A stored inbound request as a processor gets it. */
export type InboundMessage = {
  id: number;
  source: string;
  idempotencyKey: string;
  payload: unknown;
  receivedAt: Date;
  /** Tries so far, this one included. */
  attempts: number;
};

/**
 * Does the work for one source. `process` runs inside the transaction that marks the message
 * done: its state changes, evidence entries and outbox rows commit with that mark or not at all, so
 * a message has its effect exactly once. Throw to retry later with backoff; an `AppError` that
 * says the request itself is wrong (400, 404, 409, 422 …) is not retried.
 */
export type InboxProcessor = {
  source: string;
  process(tx: Db, message: InboundMessage): Promise<void>;
};

export const maxIdempotencyKeyLength = 512;

/** An inbound request checked and hashed, ready to be inserted. */
export type PreparedInbound = {
  source: string;
  idempotencyKey: string;
  payload: unknown;
  payloadSha256: string;
  receivedAt: Date;
  notBefore: Date;
};

/** Checks an inbound request (source, key, JSON payload) and hashes its canonical payload. */
export async function prepareInbound(input: InboundInput): Promise<PreparedInbound> {
  if (input.source.length === 0 || input.source.length > 100) throw new RangeError("inbox: bad source");
  if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > maxIdempotencyKeyLength) {
    throw new RangeError("inbox: bad idempotency key");
  }
  const canonical = canonicalize(input.payload);
  if (canonical === undefined) throw new TypeError("inbox: the payload is not JSON");
  return {
    source: input.source,
    idempotencyKey: input.idempotencyKey,
    payload: input.payload,
    // node:crypto, not WebCrypto's async digest: the same hex, a hundred times cheaper per request.
    payloadSha256: createHash("sha256").update(canonical, "utf8").digest("hex"),
    receivedAt: input.receivedAt,
    notBefore: input.notBefore ?? input.receivedAt,
  };
}

/**
 * Stores a verified inbound request before it is answered. The first delivery of a (source, key)
 * gets a new row; a redelivery gets the same row's id and `duplicate: true`, and nothing more
 * happens for it. Wake the inbox worker after this returns. (Many requests at once: the group
 * commit of db/inbox-writer.ts stores them with one statement.)
 */
export async function receiveInbound(
  database: Database,
  input: InboundInput,
): Promise<{ id: number; duplicate: boolean }> {
  const row = await prepareInbound(input);
  const inserted = await database.db
    .insert(inbox)
    .values(row)
    .onConflictDoNothing({ target: [inbox.source, inbox.idempotencyKey] })
    .returning({ id: inbox.id });
  if (inserted[0]) return { id: inserted[0].id, duplicate: false };
  const [existing] = await database.db
    .select({ id: inbox.id })
    .from(inbox)
    .where(and(eq(inbox.source, input.source), eq(inbox.idempotencyKey, input.idempotencyKey)));
  if (!existing) throw new Error("inbox: the row that conflicted is gone");
  return { id: existing.id, duplicate: true };
}

/**
 * Marks a message processed outside the worker (inline, within a surface's deadline): done, its
 * payload cleared. Only a message nobody finished or leased is marked; answers whether it was.
 */
export async function markInboundDone(database: Database, id: number, now: Date): Promise<boolean> {
  const rows = await database.db
    .update(inbox)
    .set({ status: "done", processedAt: now, payload: null, leasedBy: null, leaseUntil: null })
    .where(and(eq(inbox.id, id), eq(inbox.status, "pending")))
    .returning({ id: inbox.id });
  return rows.length > 0;
}

/**
 * Marks many messages processed at once, inside the transaction that applied their effects: done,
 * payload cleared. Only messages still `pending` (nobody finished or leased them) are marked; answers
 * the ids that were, so the caller applies the effects of exactly those.
 */
export async function markInboundDoneMany(db: Db, ids: readonly number[], now: Date): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .update(inbox)
    .set({ status: "done", processedAt: now, payload: null, leasedBy: null, leaseUntil: null })
    .where(and(inArray(inbox.id, [...ids]), eq(inbox.status, "pending")))
    .returning({ id: inbox.id });
  return new Set(rows.map((r) => r.id));
}

export type InboxLogger = {
  debug(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

export type InboxWorkerOptions = {
  /** The processors by source (read on every run, so modules may register late). */
  processors: () => readonly InboxProcessor[];
  clock: Clock;
  logger?: InboxLogger;
  instanceId?: string;
  /** How long a claimed message stays this instance's. Default 60 s. */
  leaseMs?: number;
  /** Messages per claim. Default 50. */
  batchSize?: number;
  /** Tries before a message is dead (with an HR alert). Default 8. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** How often a started worker looks for messages nobody woke it for. Default 5 s. */
  pollMs?: number;
  /** After a message's transaction commits (wake the chain writer and the dispatcher). */
  afterCommit?: () => void;
};

export type InboxRunReport = { processed: number; retried: number; dead: number; lost: number };

export type InboxWorker = {
  readonly instanceId: string;
  wake(): void;
  /** Processes every message due now, claim after claim. */
  runOnce(): Promise<InboxRunReport>;
  start(): void;
  stop(): Promise<void>;
};

class LeaseLostError extends Error {}

/** Errors that say the request itself is wrong: retrying cannot help. */
function isPermanent(error: unknown): boolean {
  return isAppError(error) && !["rate_limited", "not_ready", "internal"].includes(error.code);
}

/**
 * Processes the inbox. A claim leases due messages (FOR UPDATE SKIP LOCKED) to this instance;
 * each is then processed in its own transaction that first checks the lease is still ours and
 * marks the message done — so if the lease ran out and another instance took the message, one of
 * the two rolls back and the effect happens once. A crash leaves the message leased; when the lease
 * ends any instance picks it up.
 */
export function createInboxWorker(database: Database, options: InboxWorkerOptions): InboxWorker {
  const { clock, logger } = options;
  const instanceId = options.instanceId ?? `inbox:${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 50;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = options.backoff ?? { baseMs: 2_000, maxMs: 30 * 60_000 };
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? 5000;

  async function claim(now: Date): Promise<InboundMessage[]> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    return database.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      const due = await tx
        .select({ id: inbox.id })
        .from(inbox)
        .where(and(inArray(inbox.status, ["pending", "processing"]), lte(inbox.notBefore, now)))
        .orderBy(inbox.notBefore, inbox.id)
        .limit(batchSize)
        .for("update", { skipLocked: true });
      if (due.length === 0) return [];
      // A message still `processing` past its lease was left by an instance that stopped.
      const rows = await tx
        .update(inbox)
        .set({
          status: "processing",
          leasedBy: instanceId,
          leaseUntil,
          notBefore: leaseUntil,
          attempts: sql`${inbox.attempts} + 1`,
        })
        .where(
          inArray(
            inbox.id,
            due.map((d) => d.id),
          ),
        )
        .returning();
      return rows
        .map((r) => ({
          id: r.id,
          source: r.source,
          idempotencyKey: r.idempotencyKey,
          payload: r.payload,
          receivedAt: r.receivedAt,
          attempts: r.attempts,
        }))
        .sort((a, b) => a.id - b.id);
    });
  }

  const ours = (id: number) =>
    and(eq(inbox.id, id), eq(inbox.status, "processing"), eq(inbox.leasedBy, instanceId));

  async function processOne(message: InboundMessage, report: InboxRunReport): Promise<void> {
    const processor = options.processors().find((p) => p.source === message.source);
    try {
      if (!processor) throw new Error(`no processor for the source ${message.source}`);
      await database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const marked = await tx
          .update(inbox)
          .set({ status: "done", processedAt: clock.now(), payload: null, leasedBy: null, leaseUntil: null })
          .where(ours(message.id))
          .returning({ id: inbox.id });
        if (marked.length === 0) throw new LeaseLostError();
        await processor.process(tx, message);
      });
      report.processed += 1;
      options.afterCommit?.();
      return;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        report.lost += 1;
        logger?.error({ inboxId: message.id }, "inbox lease lost; another instance has the message");
        return;
      }
      await fail(message, error, report);
    }
  }

  async function fail(message: InboundMessage, error: unknown, report: InboxRunReport): Promise<void> {
    const now = clock.now();
    const name = error instanceof Error ? error.name : "Error";
    const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);
    const dead = isPermanent(error) || message.attempts >= maxAttempts;
    try {
      await database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const rows = await tx
          .update(inbox)
          .set(
            dead
              ? { status: "dead", lastError: text, leasedBy: null, leaseUntil: null }
              : {
                  status: "pending",
                  lastError: text,
                  leasedBy: null,
                  leaseUntil: null,
                  notBefore: new Date(now.getTime() + retryDelayMs(message.attempts, backoff, random)),
                },
          )
          .where(ours(message.id))
          .returning({ id: inbox.id });
        if (rows.length === 0 || !dead) return;
        await enqueueNotification(
          tx,
          {
            kind: "hr.alert",
            recipient: { type: "channel", purpose: "hr" },
            data: {
              alert: "inbox.dead",
              inboxId: message.id,
              source: message.source,
              attempts: message.attempts,
            },
            dedupeKey: `inbox.dead:${message.id}`,
          },
          now,
        );
      });
    } catch (writeError) {
      logger?.error(
        { inboxId: message.id, error: (writeError as Error).name },
        "could not record an inbox failure; the lease will run out and it is tried again",
      );
      return;
    }
    if (dead) {
      report.dead += 1;
      logger?.error({ inboxId: message.id, source: message.source, error: name }, "inbound message dead");
      options.afterCommit?.();
    } else {
      report.retried += 1;
      logger?.debug({ inboxId: message.id, error: name }, "inbound message failed; will retry");
    }
  }

  async function runOnceUnqueued(): Promise<InboxRunReport> {
    const report: InboxRunReport = { processed: 0, retried: 0, dead: 0, lost: 0 };
    for (;;) {
      const messages = await claim(clock.now());
      for (const message of messages) await processOne(message, report);
      if (messages.length < batchSize) return report;
    }
  }

  const loop = createWorkerLoop(runOnceUnqueued, {
    pollMs,
    debounceMs: 1,
    nextIn: () => undefined,
    onError: (error) =>
      logger?.error({ error: (error as Error).name }, "processing the inbox failed; will retry"),
  });

  return { instanceId, ...loop };
}
