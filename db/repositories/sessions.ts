import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { sessions } from "../schema/index.ts";

export type StoredSession = typeof sessions.$inferSelect;

export function sessionRepository(db: Db) {
  return {
    async insert(row: { idHash: string; principal: string; expiresAt: Date; now: Date }): Promise<void> {
      await db.insert(sessions).values({
        idHash: row.idHash,
        principal: row.principal,
        expiresAt: row.expiresAt,
        createdAt: row.now,
        lastSeenAt: row.now,
      });
    },
    async findLive(idHash: string, now: Date): Promise<StoredSession | undefined> {
      const rows = await db
        .select()
        .from(sessions)
        .where(and(eq(sessions.idHash, idHash), isNull(sessions.endedAt), gt(sessions.expiresAt, now)));
      return rows[0];
    },
    async end(idHash: string, at: Date): Promise<void> {
      await db.update(sessions).set({ endedAt: at }).where(eq(sessions.idHash, idHash));
    },
  };
}
