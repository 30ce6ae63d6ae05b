import { and, desc, eq, isNull, ne } from "drizzle-orm";
import type { JWK } from "jose";
import type { Db } from "../client.ts";
import { signingKeys } from "../schema/index.ts";

export type SigningKeyRow = typeof signingKeys.$inferSelect;

export type PublicSigningKey = { kid: string; publicJwk: JWK; fingerprint: string };

export function signingKeyRepository(db: Db) {
  return {
    /**
     * Records the key in use. A key seen for the first time retires every other key (they stay
     * listed and keep verifying); a key seen before changes nothing, so instances starting with
     * an old and a new key during a rolling rotation do not flip each other back.
     */
    async register(key: PublicSigningKey, at: Date): Promise<{ inserted: boolean; row: SigningKeyRow }> {
      return db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const inserted = await tx
          .insert(signingKeys)
          .values({ ...key, firstSeenAt: at })
          .onConflictDoNothing({ target: signingKeys.kid })
          .returning();
        if (inserted[0]) {
          await tx
            .update(signingKeys)
            .set({ retiredAt: at })
            .where(and(ne(signingKeys.kid, key.kid), isNull(signingKeys.retiredAt)));
          return { inserted: true, row: inserted[0] };
        }
        const [row] = await tx.select().from(signingKeys).where(eq(signingKeys.kid, key.kid));
        return { inserted: false, row: row! };
      });
    },
    async find(kid: string): Promise<SigningKeyRow | undefined> {
      const [row] = await db.select().from(signingKeys).where(eq(signingKeys.kid, kid));
      return row;
    },
    /** Every key, newest first. */
    list(): Promise<SigningKeyRow[]> {
      return db.select().from(signingKeys).orderBy(desc(signingKeys.firstSeenAt), signingKeys.kid);
    },
  };
}
