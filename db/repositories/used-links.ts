import { eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { usedLinks } from "../schema/index.ts";

export function usedLinkRepository(db: Db) {
  return {
    /** Records the link as used; false when it was used before (the caller's transaction then rolls back). */
    async markUsed(row: { jti: string; purpose: string; principal: string; usedAt: Date; expiresAt: Date }) {
      const rows = await db
        .insert(usedLinks)
        .values(row)
        .onConflictDoNothing()
        .returning({ jti: usedLinks.jti });
      return rows.length > 0;
    },
    async isUsed(jti: string): Promise<boolean> {
      const rows = await db.select({ jti: usedLinks.jti }).from(usedLinks).where(eq(usedLinks.jti, jti));
      return rows.length > 0;
    },
  };
}
