import { and, asc, count, desc, eq, gt, isNull, notExists, type SQL, sql } from "drizzle-orm";
import {
  type ChainLink,
  type ChainPosition,
  type ChainVerification,
  chainHash,
  createChainVerifier,
  genesisHash,
} from "../core/audit/chain.ts";
import type { Database, Db } from "./client.ts";
import { evidenceChain, evidenceEntries } from "./schema/index.ts";
import { createWorkerLoop } from "./worker-loop.ts";

/** Advisory lock key of the chain writer: the bytes of "baton:ch". */
export const chainLockKey = 0x6261746f6e3a6368n;

/** The logging the chain writer needs (a pino logger fits). */
export type ChainLogger = {
  debug(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

export type ChainRunResult = {
  /** Entries sequenced by this run. */
  chained: number;
  /** True when another writer held the lock, so this run stopped there (that writer goes on). */
  skipped: boolean;
};

export type ChainWriter = {
  /** Asks for a run soon (debounced); call it after a transaction that recorded evidence commits. */
  wake(): void;
  /** Sequences every committed, unchained entry now, batch by batch (one run at a time per writer). */
  runOnce(): Promise<ChainRunResult>;
  /** Runs now and then every `intervalMs`, and on each wake. */
  start(): void;
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
};

export type ChainWriterOptions = {
  logger?: ChainLogger;
  /** How often to look for entries nobody woke us for (another process, a lost wake). Default 5 s. */
  intervalMs?: number;
  /** How long a wake waits to gather more commits into one run. Default 20 ms. */
  debounceMs?: number;
  /** When another writer holds the lock, when to look again (it may have missed our last commits). */
  retryMs?: number;
  /** Entries per transaction. Default 500. */
  batchSize?: number;
};

/** Not sequenced yet (the partial index), and not in the chain under another seq either. */
function unchained(db: Db): SQL | undefined {
  return and(
    isNull(evidenceEntries.seq),
    notExists(
      db.select({ one: sql`1` }).from(evidenceChain).where(eq(evidenceChain.entryId, evidenceEntries.id)),
    ),
  );
}

function rowsOf<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Row[]) : [];
}

async function execute<Row>(tx: Db, statement: SQL): Promise<Row[]> {
  return rowsOf<Row>(await tx.execute(statement));
}

/**
 * Chains one batch in one transaction. The lock is a transaction-level advisory lock taken with
 * try: writers never queue on each other, it is released with the commit, and business
 * transactions never take it. The head and the pending entries are read after the lock is held,
 * so each batch continues exactly where the previous writer's commit left the chain.
 */
async function chainBatch(database: Database, batchSize: number): Promise<ChainRunResult> {
  return database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const [lock] = await execute<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${chainLockKey.toString()}::bigint) as locked`,
    );
    if (!lock?.locked) return { chained: 0, skipped: true };

    const [last] = await tx
      .select({ seq: evidenceChain.seq, hash: evidenceChain.hash })
      .from(evidenceChain)
      .orderBy(desc(evidenceChain.seq))
      .limit(1);
    // Committed entries only (READ COMMITTED, a fresh snapshot per statement), in insertion order.
    const pending = await tx
      .select({
        id: evidenceEntries.id,
        at: evidenceEntries.at,
        actor: evidenceEntries.actor,
        action: evidenceEntries.action,
        subject: evidenceEntries.subject,
        data: evidenceEntries.data,
      })
      .from(evidenceEntries)
      .where(unchained(tx))
      .orderBy(asc(evidenceEntries.ingest))
      .limit(batchSize);
    if (pending.length === 0) return { chained: 0, skipped: false };

    const startSeq = last?.seq ?? 0;
    let prev: ChainPosition = { seq: startSeq, hash: last?.hash ?? genesisHash };
    const links: { seq: number; entryId: string; prevHash: string; hash: string }[] = [];
    for (const row of pending) {
      const seq = prev.seq + 1;
      const hash = await chainHash(prev.hash, {
        id: row.id,
        at: row.at.toISOString(),
        actor: row.actor,
        action: row.action,
        subject: row.subject,
        data: row.data,
      });
      links.push({ seq, entryId: row.id, prevHash: prev.hash, hash });
      prev = { seq, hash };
    }
    await tx.insert(evidenceChain).values(links);
    await tx.execute(
      sql`update evidence_entries e set seq = c.seq from evidence_chain c
          where c.entry_id = e.id and e.seq is null and c.seq > ${startSeq}`,
    );
    return { chained: links.length, skipped: false };
  });
}

/**
 * The single chain writer: sequences committed, unchained evidence entries into `evidence_chain`.
 * Any number of instances may run one; the advisory lock lets one write at a time and the others
 * skip. PGlite has one connection and one process, so there it simply runs.
 */
export function createChainWriter(database: Database, options: ChainWriterOptions = {}): ChainWriter {
  const { logger } = options;
  const intervalMs = options.intervalMs ?? 5000;
  const debounceMs = options.debounceMs ?? 20;
  const retryMs = options.retryMs ?? 200;
  const batchSize = options.batchSize ?? 500;

  async function chainAll(): Promise<ChainRunResult> {
    let total = 0;
    for (;;) {
      const batch = await chainBatch(database, batchSize);
      total += batch.chained;
      if (batch.skipped) return { chained: total, skipped: true };
      if (batch.chained < batchSize) return { chained: total, skipped: false };
    }
  }

  return createWorkerLoop(
    async () => {
      const result = await chainAll();
      if (result.chained > 0) logger?.debug({ chained: result.chained }, "evidence chained");
      return result;
    },
    {
      pollMs: intervalMs,
      debounceMs,
      // Another instance holds the writer's lock: try again soon.
      nextIn: (result) => (result.skipped ? retryMs : undefined),
      onError: (error) =>
        logger?.error(
          { err: { name: (error as Error).name, message: (error as Error).message } },
          "chaining evidence failed; will retry",
        ),
    },
  );
}

export type ChainHead = { seq: number; hash: string; entryId: string; chainedAt: Date };

/** The last link of the chain, or null when nothing is chained yet. */
export async function chainHead(database: Database): Promise<ChainHead | null> {
  const [last] = await database.db
    .select({
      seq: evidenceChain.seq,
      hash: evidenceChain.hash,
      entryId: evidenceChain.entryId,
      chainedAt: evidenceChain.chainedAt,
    })
    .from(evidenceChain)
    .orderBy(desc(evidenceChain.seq))
    .limit(1);
  return last ?? null;
}

/** Committed entries the chain writer has not sequenced yet. */
export async function unchainedCount(database: Database): Promise<number> {
  const [row] = await database.db.select({ n: count() }).from(evidenceEntries).where(unchained(database.db));
  return row?.n ?? 0;
}

export type AuditVerification = ChainVerification & {
  /** Entries written but not chained yet (normally the last second's). */
  pending: number;
};

/**
 * Recomputes the whole chain from the database, page by page, and names the first broken link:
 * an edited entry (data, actor, at, …) or chain hash → `hash_mismatch`, an edited or reordered
 * prevHash → `prev_link_broken`, a deleted link → `seq_gap`, a deleted entry → `entry_missing`.
 * What it cannot see alone is a chain cut off at the end or rewritten from some point on; the
 * heads published outside Baton (`GET /api/v1/audit/head`) catch that.
 */
export async function verifyAuditChain(
  database: Database,
  options: { pageSize?: number } = {},
): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? 1000;
  const verifier = createChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await database.db
      .select({
        seq: evidenceChain.seq,
        entryId: evidenceChain.entryId,
        prevHash: evidenceChain.prevHash,
        hash: evidenceChain.hash,
        id: evidenceEntries.id,
        at: evidenceEntries.at,
        actor: evidenceEntries.actor,
        action: evidenceEntries.action,
        subject: evidenceEntries.subject,
        data: evidenceEntries.data,
      })
      .from(evidenceChain)
      .leftJoin(evidenceEntries, eq(evidenceEntries.id, evidenceChain.entryId))
      .where(gt(evidenceChain.seq, after))
      .orderBy(asc(evidenceChain.seq))
      .limit(pageSize);
    for (const row of rows) {
      const link: ChainLink = {
        seq: row.seq,
        entryId: row.entryId,
        prevHash: row.prevHash,
        hash: row.hash,
        // A left join: every entry column is null together when the entry row is gone.
        entry:
          row.id === null
            ? null
            : {
                id: row.id,
                at: row.at!.toISOString(),
                actor: row.actor!,
                action: row.action!,
                subject: row.subject!,
                data: row.data!,
              },
      };
      if (await verifier.push(link)) break;
    }
    if (verifier.broken || rows.length < pageSize) break;
    after = rows[rows.length - 1]?.seq ?? after;
  }
  const pending = await unchainedCount(database);
  const result = verifier.result();
  if (!result.firstBroken) return { ...result, pending };
  // Stopped at the first broken link: report the chain's real length and stored head.
  const [total] = await database.db.select({ n: count() }).from(evidenceChain);
  const head = await chainHead(database);
  return {
    ...result,
    length: total?.n ?? result.length,
    head: head ? { seq: head.seq, hash: head.hash } : null,
    pending,
  };
}
