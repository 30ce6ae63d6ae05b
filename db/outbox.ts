import { and, count, desc, eq, gt, inArray, lt, lte, min, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { OutboxItem } from "../core/notifications/delivery.ts";
import { destinationOf, type Notification, type Recipient } from "../core/notifications/notification.ts";
import type { Db } from "./client.ts";
import { outbox, outboxRateLimits } from "./schema/index.ts";

/**
 * Enqueues a notification inside the caller's transaction. A dedupe key seen before is ignored,
 * so re-running the state change or the tick that makes it sends nothing twice. Returns whether a
 * row was written. Wake the dispatcher after the transaction commits.
 */
export async function enqueueNotification(
  tx: Db,
  notification: Notification,
  now: Date = new Date(),
): Promise<boolean> {
  const rows = await tx
    .insert(outbox)
    .values({
      kind: notification.kind,
      recipient: notification.recipient,
      destination: destinationOf(notification.recipient),
      data: notification.data,
      dedupeKey: notification.dedupeKey,
      urgency: notification.urgency ?? "normal",
      notBefore: notification.notBefore ?? now,
      createdAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id });
  return rows.length > 0;
}

/* ---------------------------------------------------------------- the dispatcher's side */

export type ClaimPlan = {
  /** Rows per destination this claim may take (after its rate limit). */
  limits: { destination: string; rows: number }[];
};

function rowsOf<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Row[]) : [];
}

const ts = (date: Date) => sql`${date.toISOString()}::timestamptz`;

/** Rows leased by an instance that stopped (crashed, or lost its lease) go back to pending. */
export async function releaseExpiredLeases(db: Db, now: Date): Promise<number> {
  const rows = await db
    .update(outbox)
    .set({ status: "pending", leasedBy: null, leaseUntil: null })
    .where(and(eq(outbox.status, "sending"), lt(outbox.leaseUntil, now)))
    .returning({ id: outbox.id });
  return rows.length;
}

/** Destinations with rows due at `now`, the longest-waiting first. */
export async function dueDestinations(
  tx: Db,
  now: Date,
  limit: number,
): Promise<{ destination: string; due: number }[]> {
  const first = min(outbox.notBefore);
  return tx
    .select({ destination: outbox.destination, due: count() })
    .from(outbox)
    .where(and(eq(outbox.status, "pending"), lte(outbox.notBefore, now)))
    .groupBy(outbox.destination)
    .orderBy(first)
    .limit(limit);
}

/** The earliest time after `now` that a pending row becomes due, if any. */
export async function nextDueAfter(db: Db, now: Date): Promise<Date | null> {
  const [row] = await db
    .select({ at: min(outbox.notBefore) })
    .from(outbox)
    .where(and(eq(outbox.status, "pending"), gt(outbox.notBefore, now)));
  return row?.at ? new Date(row.at) : null;
}

export type BucketRow = { destination: string; tokens: number; refilledAt: Date; blockedUntil: Date | null };

/**
 * Locks the token buckets of these destinations for this transaction, creating full ones for new
 * destinations. A bucket another instance holds right now is skipped: that instance is claiming
 * for the destination, and this one leaves it alone.
 */
export async function lockBuckets(
  tx: Db,
  destinations: readonly string[],
  fresh: (destination: string) => number,
  now: Date,
): Promise<BucketRow[]> {
  if (destinations.length === 0) return [];
  await tx
    .insert(outboxRateLimits)
    .values(destinations.map((destination) => ({ destination, tokens: fresh(destination), refilledAt: now })))
    .onConflictDoNothing();
  return tx
    .select()
    .from(outboxRateLimits)
    .where(inArray(outboxRateLimits.destination, [...destinations]))
    .orderBy(outboxRateLimits.destination)
    .for("update", { skipLocked: true });
}

export async function saveBuckets(
  tx: Db,
  buckets: readonly { destination: string; tokens: number }[],
  now: Date,
): Promise<void> {
  if (buckets.length === 0) return;
  const values = sql.join(
    buckets.map((b) => sql`(${b.destination}, ${b.tokens}::float8)`),
    sql`, `,
  );
  await tx.execute(
    sql`update outbox_rate_limits r set tokens = v.tokens, refilled_at = ${ts(now)}
        from (values ${values}) as v(destination, tokens) where r.destination = v.destination`,
  );
}

type ClaimedRow = {
  id: number | string;
  kind: string;
  recipient: Recipient;
  destination: string;
  data: Record<string, unknown>;
  dedupe_key: string;
  urgency: "legal" | "normal";
  attempts: number;
  not_before: Date | string;
  created_at: Date | string;
};

export type ClaimedItem = OutboxItem & { notBefore: Date };

/**
 * Leases the first `rows` due rows of each destination (alerts about legal dates first, then in
 * due order) to `worker` until
 * `leaseUntil`: status `sending`, one more attempt. Rows are taken FOR UPDATE SKIP LOCKED, so two
 * instances never take the same row.
 */
export async function claimRows(
  tx: Db,
  input: { plan: ClaimPlan; now: Date; worker: string; leaseUntil: Date },
): Promise<ClaimedItem[]> {
  const limits = input.plan.limits.filter((l) => l.rows > 0);
  if (limits.length === 0) return [];
  const allowance = sql.join(
    limits.map((l) => sql`(${l.destination}, ${l.rows}::int)`),
    sql`, `,
  );
  const destinations = sql.join(
    limits.map((l) => sql`${l.destination}`),
    sql`, `,
  );
  const rows = rowsOf<ClaimedRow>(
    await tx.execute(sql`
      update outbox set status = 'sending', leased_by = ${input.worker},
        lease_until = ${ts(input.leaseUntil)}, attempts = attempts + 1
      where id in (
        select o.id from outbox o where o.id in (
          select ranked.id from (
            select id, destination,
              row_number() over (
                partition by destination order by (urgency = 'legal') desc, not_before, id
              ) as rn
            from outbox
            where status = 'pending' and not_before <= ${ts(input.now)} and destination in (${destinations})
          ) ranked
          join (values ${allowance}) as allowance(destination, n) on allowance.destination = ranked.destination
          where ranked.rn <= allowance.n
        )
        for update skip locked
      )
      returning id, kind, recipient, destination, data, dedupe_key, urgency, attempts, not_before, created_at`),
  );
  return rows
    .map((r) => ({
      outboxId: Number(r.id),
      kind: r.kind,
      recipient: r.recipient,
      destination: r.destination,
      data: r.data,
      dedupeKey: r.dedupe_key,
      urgency: r.urgency,
      attempts: Number(r.attempts),
      notBefore: new Date(r.not_before),
      createdAt: new Date(r.created_at),
    }))
    .sort(
      (a, b) =>
        a.destination.localeCompare(b.destination) ||
        Number(b.urgency === "legal") - Number(a.urgency === "legal") ||
        a.notBefore.getTime() - b.notBefore.getTime() ||
        a.outboxId - b.outboxId,
    );
}

const leasedBy = (ids: readonly number[], worker: string) =>
  and(inArray(outbox.id, [...ids]), eq(outbox.status, "sending"), eq(outbox.leasedBy, worker));

/** Ends `worker`'s lease on the rows with `set`; returns the ids it still held (others lost the lease). */
async function releaseLeased(
  tx: Db,
  ids: readonly number[],
  worker: string,
  set: PgUpdateSetSource<typeof outbox>,
): Promise<number[]> {
  const rows = await tx
    .update(outbox)
    .set({ ...set, leasedBy: null, leaseUntil: null })
    .where(leasedBy(ids, worker))
    .returning({ id: outbox.id });
  return rows.map((r) => r.id);
}

/** The leased rows were delivered; returns the ids still leased to `worker` (others lost the lease). */
export async function markSent(
  tx: Db,
  input: { ids: readonly number[]; worker: string; at: Date; reference: string | null },
): Promise<number[]> {
  return releaseLeased(tx, input.ids, input.worker, {
    status: "sent",
    sentAt: input.at,
    messageRef: input.reference,
    lastError: null,
  });
}

/** A failed try: back to pending until `notBefore`. */
export async function markRetry(
  tx: Db,
  input: { ids: readonly number[]; worker: string; notBefore: Date; error: string },
): Promise<number[]> {
  const ids = await releaseLeased(tx, input.ids, input.worker, {
    status: "pending",
    notBefore: input.notBefore,
    lastError: input.error.slice(0, 500),
  });
  return ids;
}

/**
 * The platform refused for now (429): back to pending until its Retry-After, without counting the
 * try, and the destination's bucket blocked until then.
 */
export async function markRateLimited(
  tx: Db,
  input: { ids: readonly number[]; worker: string; destination: string; until: Date; now: Date },
): Promise<number[]> {
  const ids = await releaseLeased(tx, input.ids, input.worker, {
    status: "pending",
    notBefore: input.until,
    attempts: sql`greatest(${outbox.attempts} - 1, 0)`,
    lastError: "rate limited",
  });
  // Blocked until the Retry-After (the latest one given), with one token ready at that moment.
  await tx
    .insert(outboxRateLimits)
    .values({ destination: input.destination, tokens: 1, refilledAt: input.until, blockedUntil: input.until })
    .onConflictDoUpdate({
      target: outboxRateLimits.destination,
      set: {
        tokens: 1,
        refilledAt: sql`greatest(${outboxRateLimits.refilledAt}, excluded.refilled_at)`,
        blockedUntil: sql`greatest(${outboxRateLimits.blockedUntil}, excluded.blocked_until)`,
      },
    });
  return ids;
}

/** Not deliverable yet for a reason outside the message: back to pending until `until`, the try not counted. */
export async function markDeferred(
  tx: Db,
  input: { ids: readonly number[]; worker: string; until: Date; reason: string },
): Promise<number[]> {
  const ids = await releaseLeased(tx, input.ids, input.worker, {
    status: "pending",
    notBefore: input.until,
    attempts: sql`greatest(${outbox.attempts} - 1, 0)`,
    lastError: input.reason.slice(0, 500),
  });
  return ids;
}

/** Rows waiting for a channel of this purpose become due now (a channel was just bound). */
export async function releaseChannelRows(tx: Db, purpose: string, at: Date): Promise<void> {
  await tx
    .update(outbox)
    .set({ notBefore: at })
    .where(
      and(
        eq(outbox.status, "pending"),
        gt(outbox.notBefore, at),
        sql`${outbox.destination} like ${`channel:${purpose}:%`}`,
        sql`${outbox.lastError} like 'NoChannelBoundError%'`,
      ),
    );
}

/** Given up: status `dead` with the last error, for HR and operators to look at and retry. */
export async function markDead(
  tx: Db,
  input: { ids: readonly number[]; worker: string; at: Date; error: string },
): Promise<{ id: number; kind: string; destination: string; recipient: Recipient; attempts: number }[]> {
  return tx
    .update(outbox)
    .set({
      status: "dead",
      deadAt: input.at,
      lastError: input.error.slice(0, 500),
      leasedBy: null,
      leaseUntil: null,
    })
    .where(leasedBy(input.ids, input.worker))
    .returning({
      id: outbox.id,
      kind: outbox.kind,
      destination: outbox.destination,
      recipient: outbox.recipient,
      attempts: outbox.attempts,
    });
}

export type DeadLetter = {
  id: number;
  kind: string;
  destination: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deadAt: string | null;
};

/** Dead rows, the most recent first (`before`: an id to page from). */
export async function listDeadLetters(
  db: Db,
  options: { limit: number; before?: number },
): Promise<DeadLetter[]> {
  const rows = await db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      destination: outbox.destination,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      deadAt: outbox.deadAt,
    })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, "dead"),
        options.before === undefined ? undefined : lt(outbox.id, options.before),
      ),
    )
    .orderBy(desc(outbox.id))
    .limit(options.limit);
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    deadAt: r.deadAt?.toISOString() ?? null,
  }));
}

/** The state of one outbox row, or undefined. */
export async function outboxStatus(db: Db, id: number): Promise<string | undefined> {
  const [row] = await db.select({ status: outbox.status }).from(outbox).where(eq(outbox.id, id));
  return row?.status;
}

/** A dead row goes back to pending with a fresh count of tries; false when it is not dead (any more). */
export async function reviveDeadLetter(tx: Db, id: number, at: Date): Promise<boolean> {
  const rows = await tx
    .update(outbox)
    .set({ status: "pending", attempts: 0, notBefore: at, deadAt: null, leasedBy: null, leaseUntil: null })
    .where(and(eq(outbox.id, id), eq(outbox.status, "dead")))
    .returning({ id: outbox.id });
  return rows.length > 0;
}
