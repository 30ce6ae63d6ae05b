import { sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import { type GroupCommitStats, groupCommit, type Settled } from "./group-commit.ts";
import { type InboundInput, type PreparedInbound, prepareInbound, receiveInbound } from "./inbox.ts";

export type Stored = { id: number; duplicate: boolean };

/**
 * The inbox with group commit: what {@link receiveInbound} does for one request, for every request
 * that arrives while the previous statement runs — one multi-row `INSERT … ON CONFLICT DO NOTHING
 * RETURNING`, outside any transaction, so each row is committed (durable, with
 * `synchronous_commit`) when the statement returns, and only then is its caller answered. A chat
 * surface acks the platform after that: never before its record is durable.
 *
 * Same (source, key) twice — in the database already, or twice in one batch — gives the first
 * caller the new row and every other one `duplicate: true` with the same id. If a batch fails, its
 * requests are stored one by one (so one bad row fails only its own caller).
 */
export type InboxWriter = {
  write(input: InboundInput): Promise<Stored>;
  /** Resolves when nothing is queued or being written. */
  idle(): Promise<void>;
  /** Requests waiting for their row to be stored. */
  pending(): number;
  readonly stats: GroupCommitStats;
};

const keyOf = (row: { source: string; idempotencyKey: string }) => `${row.source}\u0000${row.idempotencyKey}`;

export function createInboxWriter(
  database: Database,
  options: { maxBatch?: number; concurrency?: number } = {},
): InboxWriter {
  async function flush(rows: readonly PreparedInbound[]): Promise<Settled<Stored>[]> {
    // One row per (source, key): the first caller inserts it, the others are its duplicates.
    const first = new Map<string, PreparedInbound>();
    for (const row of rows) if (!first.has(keyOf(row))) first.set(keyOf(row), row);
    let ids: Map<string, number>;
    try {
      // The whole batch as one JSON parameter: one statement text whatever the batch size, and
      // each payload serialised once.
      const batch = JSON.stringify(
        [...first.values()].map((row) => ({
          source: row.source,
          idempotency_key: row.idempotencyKey,
          payload: row.payload,
          payload_sha256: row.payloadSha256,
          received_at: row.receivedAt.toISOString(),
          not_before: row.notBefore.toISOString(),
        })),
      );
      const inserted = await database.query<{
        id: number | string;
        source: string;
        idempotency_key: string;
      }>(sql`
        insert into inbox (source, idempotency_key, payload, payload_sha256, received_at, not_before)
        select source, idempotency_key, payload, payload_sha256, received_at, not_before
        from jsonb_to_recordset(${batch}::jsonb) as b(source text, idempotency_key text, payload jsonb,
          payload_sha256 text, received_at timestamptz, not_before timestamptz)
        on conflict (source, idempotency_key) do nothing
        returning id, source, idempotency_key`);
      ids = new Map(
        inserted.map((r) => [keyOf({ source: r.source, idempotencyKey: r.idempotency_key }), Number(r.id)]),
      );
    } catch {
      return Promise.all(
        rows.map((row) =>
          receiveInbound(database, row).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
        ),
      );
    }
    const missing = [...first.values()].filter((row) => !ids.has(keyOf(row)));
    const existing = new Map<string, number>();
    if (missing.length > 0) {
      const pairs = sql.join(
        missing.map((row) => sql`(${row.source}, ${row.idempotencyKey})`),
        sql`, `,
      );
      const found = await database.query<{ id: number | string; source: string; idempotency_key: string }>(
        sql`select id, source, idempotency_key from inbox where (source, idempotency_key) in (${pairs})`,
      );
      for (const r of found)
        existing.set(keyOf({ source: r.source, idempotencyKey: r.idempotency_key }), Number(r.id));
    }
    const claimed = new Set<string>();
    return rows.map((row) => {
      const key = keyOf(row);
      const id = ids.get(key);
      if (id !== undefined && !claimed.has(key)) {
        claimed.add(key);
        return { value: { id, duplicate: false } };
      }
      const known = id ?? existing.get(key);
      if (known === undefined) return { error: new Error("inbox: the row that conflicted is gone") };
      return { value: { id: known, duplicate: true } };
    });
  }

  const commits = groupCommit(flush, {
    maxBatch: options.maxBatch ?? 500,
    // PGlite has one connection: one statement at a time anyway.
    concurrency: options.concurrency ?? (database.kind === "postgres" ? 2 : 1),
  });
  return {
    async write(input) {
      return commits.submit(await prepareInbound(input));
    },
    idle: () => commits.idle(),
    pending: () => commits.pending(),
    stats: commits.stats,
  };
}

const writers = new WeakMap<Database, InboxWriter>();

/** The group-commit writer of this database (one per open database, shared by the surfaces). */
export function inboxWriterOf(database: Database): InboxWriter {
  let writer = writers.get(database);
  if (!writer) {
    writer = createInboxWriter(database);
    writers.set(database, writer);
  }
  return writer;
}
