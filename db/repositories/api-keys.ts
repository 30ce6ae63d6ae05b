import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { apiKeys } from "../schema/index.ts";

export type StoredApiKey = typeof apiKeys.$inferSelect;

export function apiKeyRepository(db: Db) {
  return {
    async insert(row: typeof apiKeys.$inferInsert): Promise<void> {
      await db.insert(apiKeys).values(row);
    },
    async findActive(id: string): Promise<StoredApiKey | undefined> {
      const rows = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
      return rows[0];
    },
    async list(): Promise<StoredApiKey[]> {
      return db.select().from(apiKeys).orderBy(apiKeys.createdAt);
    },
    async revoke(id: string, at: Date): Promise<boolean> {
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: at })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      return rows.length > 0;
    },
    async touch(id: string, at: Date): Promise<void> {
      await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
    },
  };
}
