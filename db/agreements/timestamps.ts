import { and, asc, desc, gte, lte } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chainTimestamps } from "../schema/index.ts";

export type ChainTimestampRow = typeof chainTimestamps.$inferSelect;

/** The newest timestamped head, if any. */
export async function latestTimestamp(db: Db): Promise<ChainTimestampRow | undefined> {
  const [row] = await db.select().from(chainTimestamps).orderBy(desc(chainTimestamps.seq)).limit(1);
  return row;
}

/** Stores a token; a head timestamped already (another instance was quicker) keeps its first token. */
export async function storeTimestamp(
  db: Db,
  row: { seq: number; hash: string; tsaUrl: string; token: string; genTime: Date | null; createdAt: Date },
): Promise<boolean> {
  const inserted = await db
    .insert(chainTimestamps)
    .values(row)
    .onConflictDoNothing()
    .returning({ seq: chainTimestamps.seq });
  return inserted.length > 0;
}

/** Timestamps of heads from `fromSeq` to `toSeq`, both included. */
export async function timestampsBetween(
  db: Db,
  fromSeq: number,
  toSeq: number,
): Promise<ChainTimestampRow[]> {
  return db
    .select()
    .from(chainTimestamps)
    .where(and(gte(chainTimestamps.seq, fromSeq), lte(chainTimestamps.seq, toSeq)))
    .orderBy(asc(chainTimestamps.seq));
}
