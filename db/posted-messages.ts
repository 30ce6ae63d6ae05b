import { eq, lt } from "drizzle-orm";
import type { Db } from "./client.ts";
import { postedMessages } from "./schema/index.ts";

/** The reference of a post made under `key`, if there was one. */
export async function recallPost(db: Db, key: string): Promise<string | undefined> {
  const [row] = await db
    .select({ reference: postedMessages.reference })
    .from(postedMessages)
    .where(eq(postedMessages.key, key));
  return row?.reference;
}

/** Records a post made under `key` (the first record stays). */
export async function recordPost(db: Db, key: string, reference: string, now: Date): Promise<void> {
  await db.insert(postedMessages).values({ key, reference, postedAt: now }).onConflictDoNothing();
}

/** Forgets posts made before `before` (their outbox rows are long settled). */
export async function purgePosts(db: Db, before: Date): Promise<void> {
  await db.delete(postedMessages).where(lt(postedMessages.postedAt, before));
}
