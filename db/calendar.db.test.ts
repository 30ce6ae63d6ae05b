import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../core/errors.ts";
import { resetDatabase, testDatabase } from "../test/helpers/db.ts";
import {
  answerFromCalendar,
  calendarStatus,
  listCalendarOverrides,
  loadCalendar,
  removeCalendarOverride,
  reportProvisionalYears,
  setCalendarOverride,
} from "./calendar.ts";
import type { Database } from "./client.ts";

let database: Database;
const at = new Date("2026-03-02T02:00:00Z");

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const provisionalEntries = async () =>
  (
    await database.query<{ n: number }>(
      sql`select count(*)::int as n from evidence_entries where action = 'calendar.year.provisional'`,
    )
  )[0]?.n;

describe("the functions the CLI calls", () => {
  it("setCalendarOverride validates, defaults the region to CN and records who set it", async () => {
    const result = await setCalendarOverride(database.db, {
      date: "2026-10-09",
      kind: "rest",
      reason: "  Bridge day  ",
      actor: "system:cli",
      at,
    });
    expect(result).toMatchObject({
      created: true,
      changed: true,
      override: {
        region: "CN",
        date: "2026-10-09",
        kind: "rest",
        reason: "Bridge day",
        createdBy: "system:cli",
      },
    });
    expect(result.evidenceId).toBeTypeOf("string");
    const calendar = await loadCalendar(database.db, "cn");
    expect(calendar.isWorkingDay("2026-10-09").workingDay).toBe(false);
    expect(calendar.addWorkingDays("2026-10-08", 1)).toBe("2026-10-10"); // the make-up Saturday

    const replaced = await setCalendarOverride(database.db, {
      region: "CN",
      date: "2026-10-09",
      kind: "work",
      reason: "Bridge day",
      actor: "system:cli",
      at,
    });
    expect(replaced).toMatchObject({ created: false, changed: true, override: { kind: "work" } });

    expect(
      (
        await rejection(
          setCalendarOverride(database.db, { date: "2026-10-32", kind: "rest", reason: "x", actor: "a" }),
        )
      ).code,
    ).toBe("bad_request");
    expect(
      (
        await rejection(
          setCalendarOverride(database.db, { date: "2026-10-09", kind: "off", reason: "x", actor: "a" }),
        )
      ).messageKey,
    ).toBe("calendar.bad_kind");
    expect(
      (
        await rejection(
          setCalendarOverride(database.db, { date: "2026-10-09", kind: "rest", reason: "", actor: "a" }),
        )
      ).messageKey,
    ).toBe("calendar.reason_required");
    expect(
      (
        await rejection(
          setCalendarOverride(database.db, {
            region: "Mars",
            date: "2026-10-09",
            kind: "rest",
            reason: "x",
            actor: "a",
          }),
        )
      ).code,
    ).toBe("unprocessable");
    expect(
      (
        await rejection(
          setCalendarOverride(database.db, { date: "2101-01-03", kind: "rest", reason: "x", actor: "a" }),
        )
      ).messageKey,
    ).toBe("calendar.out_of_range");
    expect(await listCalendarOverrides(database.db)).toHaveLength(1);
  });

  it("removeCalendarOverride removes once, then answers not found", async () => {
    await setCalendarOverride(database.db, {
      region: "SG",
      date: "2026-08-10",
      kind: "rest",
      reason: "National Day",
      actor: "system:cli",
    });
    const removed = await removeCalendarOverride(database.db, {
      region: "sg",
      date: "2026-08-10",
      actor: "system:cli",
      at,
    });
    expect(removed.removed).toMatchObject({ region: "SG", date: "2026-08-10", kind: "rest" });
    const again = await rejection(
      removeCalendarOverride(database.db, { region: "SG", date: "2026-08-10", actor: "system:cli" }),
    );
    expect(again.code).toBe("not_found");
    expect(await listCalendarOverrides(database.db, { region: "SG", year: 2026 })).toEqual([]);
  });

  it("calendarStatus takes today in the company's time zone", async () => {
    const newYearsEve = new Date("2026-12-31T17:00:00Z"); // already 2027-01-01 in Shanghai
    const shanghai = await calendarStatus(database.db, newYearsEve);
    expect(shanghai.today).toBe("2027-01-01");
    expect(shanghai.years.map((y) => [y.year, y.status])).toEqual([
      [2027, "provisional"],
      [2028, "provisional"],
    ]);
    expect(shanghai.needsOfficialSchedule).toEqual([2027, 2028]);
    expect(shanghai.notices.map((n) => n.key)).toEqual([
      "calendar.needs_schedule",
      "calendar.needs_schedule",
    ]);
    const london = await calendarStatus(database.db, newYearsEve, { timeZone: "Europe/London" });
    expect(london.today).toBe("2026-12-31");
    expect(london.needsOfficialSchedule).toEqual([2027]);
  });
});

describe("provisional years in the evidence chain", () => {
  it("writes one entry per region-year, even when many requests race", async () => {
    const ids = await Promise.all(
      Array.from({ length: 6 }, () =>
        reportProvisionalYears(database.db, { region: "CN", years: [2027, 2028], at }),
      ),
    );
    expect(ids.flat()).toHaveLength(2);
    expect(await provisionalEntries()).toBe(2);
    const rows = await database.query<{ year: number; evidence_id: string }>(
      sql`select year, evidence_id from calendar_provisional_years order by year`,
    );
    expect(rows.map((r) => r.year)).toEqual([2027, 2028]);
    expect(rows.map((r) => r.evidence_id).sort()).toEqual(ids.flat().sort());
  });

  it("answerFromCalendar reports only the years the answer depended on", async () => {
    const official = await answerFromCalendar(database.db, { region: "CN", at }, (calendar) => ({
      value: calendar.addWorkingDays("2026-03-02", 5),
      provisionalYears: [],
    }));
    expect(official).toEqual({ value: "2026-03-09", provisional: false, evidenceIds: [] });
    const provisional = await answerFromCalendar(database.db, { region: "CN", at }, (calendar) => ({
      value: calendar.isWorkingDay("2027-10-01").workingDay,
      provisionalYears: [2027],
    }));
    expect(provisional).toMatchObject({ value: false, provisional: true });
    expect(provisional.evidenceIds).toHaveLength(1);
    expect(await provisionalEntries()).toBe(1);
  });
});
