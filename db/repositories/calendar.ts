import { and, asc, eq, gte, inArray, lte, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import { calendarConfirmedYears, calendarOverrides, calendarProvisionalYears } from "../schema/index.ts";

export type StoredCalendarOverride = typeof calendarOverrides.$inferSelect;
export type StoredProvisionalYear = typeof calendarProvisionalYears.$inferSelect;
export type StoredConfirmedYear = typeof calendarConfirmedYears.$inferSelect;

export function calendarRepository(db: Db) {
  return {
    /** Overrides, optionally of one region and within dates (both included), by region then date. */
    async listOverrides(
      filter: { region?: string; from?: string; to?: string } = {},
    ): Promise<StoredCalendarOverride[]> {
      const conditions: SQL[] = [];
      if (filter.region !== undefined) conditions.push(eq(calendarOverrides.region, filter.region));
      if (filter.from !== undefined) conditions.push(gte(calendarOverrides.date, filter.from));
      if (filter.to !== undefined) conditions.push(lte(calendarOverrides.date, filter.to));
      return db
        .select()
        .from(calendarOverrides)
        .where(and(...conditions))
        .orderBy(asc(calendarOverrides.region), asc(calendarOverrides.date));
    },

    async findOverride(region: string, date: string): Promise<StoredCalendarOverride | undefined> {
      const rows = await db
        .select()
        .from(calendarOverrides)
        .where(and(eq(calendarOverrides.region, region), eq(calendarOverrides.date, date)));
      return rows[0];
    },

    async upsertOverride(row: StoredCalendarOverride): Promise<void> {
      await db
        .insert(calendarOverrides)
        .values(row)
        .onConflictDoUpdate({
          target: [calendarOverrides.region, calendarOverrides.date],
          set: { kind: row.kind, reason: row.reason, createdBy: row.createdBy, createdAt: row.createdAt },
        });
    },

    async deleteOverride(region: string, date: string): Promise<StoredCalendarOverride | undefined> {
      const rows = await db
        .delete(calendarOverrides)
        .where(and(eq(calendarOverrides.region, region), eq(calendarOverrides.date, date)))
        .returning();
      return rows[0];
    },

    async listProvisionalYears(region: string, years?: readonly number[]): Promise<StoredProvisionalYear[]> {
      const conditions: SQL[] = [eq(calendarProvisionalYears.region, region)];
      if (years !== undefined) {
        if (years.length === 0) return [];
        conditions.push(inArray(calendarProvisionalYears.year, [...years]));
      }
      return db
        .select()
        .from(calendarProvisionalYears)
        .where(and(...conditions))
        .orderBy(asc(calendarProvisionalYears.year));
    },

    /** Records that a region-year was reported; false when it already was (the caller then rolls back). */
    async claimProvisionalYear(row: StoredProvisionalYear): Promise<boolean> {
      const inserted = await db
        .insert(calendarProvisionalYears)
        .values(row)
        .onConflictDoNothing()
        .returning({ year: calendarProvisionalYears.year });
      return inserted.length > 0;
    },

    async listConfirmedYears(region: string): Promise<StoredConfirmedYear[]> {
      return db
        .select()
        .from(calendarConfirmedYears)
        .where(eq(calendarConfirmedYears.region, region))
        .orderBy(asc(calendarConfirmedYears.year));
    },

    /** Records HR's confirmation of a year's schedule; false when it was confirmed already. */
    async confirmYear(row: StoredConfirmedYear): Promise<boolean> {
      const inserted = await db
        .insert(calendarConfirmedYears)
        .values(row)
        .onConflictDoNothing()
        .returning({ year: calendarConfirmedYears.year });
      return inserted.length > 0;
    },
  };
}
