import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";

const adminToken = `adm-${"c".repeat(40)}`;
let database: Database;
let t: TestApp;
let writer: string;
let reader: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
type ErrorBody = { error: { code: string; message: string; details?: { path: string }[] } };

async function createKey(scopes: string[], principal: string): Promise<string> {
  const res = await t.request("/api/v1/admin/api-keys", {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer(adminToken) },
    body: JSON.stringify({ name: "calendar test", principal, scopes }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

const get = (path: string, token = reader, headers: Record<string, string> = {}) =>
  t.request(path, { headers: { ...bearer(token), ...headers } });

const put = (date: string, body: unknown, token = writer) =>
  t.request(`/api/v1/calendar/overrides/${date}`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...bearer(token) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const del = (path: string, token = writer) => t.request(path, { method: "DELETE", headers: bearer(token) });

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const rows = await database.query<{ n: number }>(query);
  return Number(rows[0]?.n ?? 0);
}

const evidence = (action: string) =>
  count(sql`select count(*)::int as n from evidence_entries where action = ${action}`);
const overrideRows = () => count(sql`select count(*)::int as n from calendar_overrides`);

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, {
    env: { BATON_ADMIN_TOKEN: adminToken },
    clock: manualClock(new Date("2026-03-02T02:00:00Z")),
  });
  writer = await createKey(["calendar:write"], "employee:HR1");
  reader = await createKey(["cases:read"], "system:oa");
});

describe("GET /api/v1/calendar/days/:date", () => {
  it("answers working days, make-up days and holidays from the 2026 schedule", async () => {
    const makeUp = await get("/api/v1/calendar/days/2026-02-14");
    expect(makeUp.status).toBe(200);
    expect(await makeUp.json()).toEqual({
      date: "2026-02-14",
      region: "CN",
      workingDay: true,
      makeUpWorkday: true,
    });
    const holiday = await get("/api/v1/calendar/days/2026-02-16");
    expect(await holiday.json()).toEqual({
      date: "2026-02-16",
      region: "CN",
      workingDay: false,
      holiday: "Spring Festival",
      holidayKey: "spring_festival",
    });
    const zh = await get("/api/v1/calendar/days/2026-10-05", reader, { "accept-language": "zh-CN" });
    expect(await zh.json()).toMatchObject({ workingDay: false, holiday: "国庆节" });
    expect(await (await get("/api/v1/calendar/days/2026-03-02")).json()).toEqual({
      date: "2026-03-02",
      region: "CN",
      workingDay: true,
    });
  });

  it("uses a plain Mon–Fri calendar for another region", async () => {
    const res = await get("/api/v1/calendar/days/2026-02-16?region=us");
    expect(await res.json()).toEqual({ date: "2026-02-16", region: "US", workingDay: true });
  });

  it("refuses bad input with the one error shape, never a 500", async () => {
    for (const [path, status] of [
      ["/api/v1/calendar/days/2026-02-30", 400],
      ["/api/v1/calendar/days/2026-2-3", 400],
      ["/api/v1/calendar/days/yesterday", 400],
      ["/api/v1/calendar/days/2026-02-16?region=XX", 422],
      ["/api/v1/calendar/days/2026-02-16?region=somewhere-very-far", 400],
      ["/api/v1/calendar/days/2003-12-31", 422],
      ["/api/v1/calendar/days/2101-01-01", 422],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code, path).toBe(status === 400 ? "bad_request" : "unprocessable");
    }
    const unknown = (await (await get("/api/v1/calendar/days/2026-02-16?region=XX")).json()) as ErrorBody;
    expect(unknown.error.message).toBe(
      "There is no calendar for region XX. Use CN or another two-letter country code.",
    );
    const range = (await (await get("/api/v1/calendar/days/2003-12-31")).json()) as ErrorBody;
    expect(range.error.message).toBe(
      "2003-12-31 is outside the calendar, which covers 2004-01-01 to 2100-12-31.",
    );
  });

  it("needs authentication", async () => {
    expect((await t.request("/api/v1/calendar/days/2026-02-16")).status).toBe(401);
  });
});

describe("GET /api/v1/calendar/add-working-days", () => {
  it("gives the n-th working day strictly after the date; 0 gives the date", async () => {
    const res = await get("/api/v1/calendar/add-working-days?from=2026-09-30&days=3");
    expect(await res.json()).toEqual({ from: "2026-09-30", days: 3, date: "2026-10-10", region: "CN" });
    const zero = await get("/api/v1/calendar/add-working-days?from=2026-02-15&days=0");
    expect(await zero.json()).toMatchObject({ date: "2026-02-15" });
    const fromRest = await get("/api/v1/calendar/add-working-days?from=2026-02-15&days=1");
    expect(await fromRest.json()).toMatchObject({ date: "2026-02-24" });
  });

  it("refuses days that are not a whole number from 0 to 3650, and bad dates", async () => {
    for (const query of [
      "from=2026-03-02&days=1.5",
      "from=2026-03-02&days=-1",
      "from=2026-03-02&days=3651",
      "from=2026-03-02&days=1e3",
      "from=2026-03-02&days=",
      "from=2026-03-02",
      "from=2026-02-29&days=1",
      "days=1",
    ]) {
      const res = await get(`/api/v1/calendar/add-working-days?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as ErrorBody).error.details?.length, query).toBeGreaterThan(0);
    }
    const far = await get("/api/v1/calendar/add-working-days?from=2098-01-01&days=3650");
    expect(far.status).toBe(422);
    const max = await get("/api/v1/calendar/add-working-days?from=2026-03-02&days=3650");
    expect(max.status).toBe(200);
  });

  it("marks a provisional answer and records the provisional year once", async () => {
    const res = await get("/api/v1/calendar/add-working-days?from=2026-12-30&days=3");
    expect(await res.json()).toEqual({
      from: "2026-12-30",
      days: 3,
      date: "2027-01-05",
      region: "CN",
      provisional: true,
    });
    await Promise.all(
      ["2027-02-08", "2027-06-01", "2027-10-04"].map((d) => get(`/api/v1/calendar/days/${d}`)),
    );
    expect(await evidence("calendar.year.provisional")).toBe(1);
    const rows = await database.query<{
      subject: string;
      actor: string;
      data: { year: number; prefilled: unknown[] };
    }>(sql`select subject, actor, data from evidence_entries where action = 'calendar.year.provisional'`);
    expect(rows[0]).toMatchObject({ subject: "calendar:CN:2027", actor: "system:baton" });
    expect(rows[0]?.data.year).toBe(2027);
    expect(rows[0]?.data.prefilled).toHaveLength(13);
    await get("/api/v1/calendar/days/2028-01-03");
    expect(await evidence("calendar.year.provisional")).toBe(2);
    // Official answers write nothing.
    await get("/api/v1/calendar/add-working-days?from=2026-03-02&days=10");
    expect(await evidence("calendar.year.provisional")).toBe(2);
  });
});

describe("GET /api/v1/legal/last-day", () => {
  it("gives the Art. 37 last day and the Art. 50 deadlines with the Art. 203 extension", async () => {
    const res = await get("/api/v1/legal/last-day?noticeDate=2026-08-17&probation=false");
    expect(await res.json()).toEqual({
      noticeDate: "2026-08-17",
      probation: false,
      legalLastDay: "2026-09-16",
      certificateDue: "2026-09-16",
      transferDue: "2026-10-01",
      transferDueExtended: "2026-10-08",
    });
    const probation = await get("/api/v1/legal/last-day?noticeDate=2026-03-02&probation=true");
    expect(await probation.json()).toMatchObject({ legalLastDay: "2026-03-05", transferDue: "2026-03-20" });
    const plain = await get("/api/v1/legal/last-day?noticeDate=2026-03-02");
    expect(await plain.json()).toMatchObject({ probation: false, legalLastDay: "2026-04-01" });
  });

  it("marks answers that reach into a provisional year", async () => {
    const res = await get("/api/v1/legal/last-day?noticeDate=2026-12-22");
    expect(await res.json()).toMatchObject({
      legalLastDay: "2027-01-21",
      transferDue: "2027-02-05",
      transferDueExtended: "2027-02-09",
      provisional: true,
    });
  });

  it("refuses bad input", async () => {
    for (const query of [
      "noticeDate=2026-02-30",
      "noticeDate=2026-03-02&probation=yes",
      "probation=true",
      "",
    ]) {
      expect((await get(`/api/v1/legal/last-day?${query}`)).status, query).toBe(400);
    }
    expect((await get("/api/v1/legal/last-day?noticeDate=2100-12-20")).status).toBe(422);
  });
});

describe("calendar overrides", () => {
  it("need the calendar:write scope", async () => {
    const res = await put("2026-03-06", { kind: "rest", reason: "Company anniversary" }, reader);
    expect(res.status).toBe(403);
    expect((await del("/api/v1/calendar/overrides/2026-03-06", reader)).status).toBe(403);
    expect(await overrideRows()).toBe(0);
  });

  it("are set, replaced, listed, used by the calendar and removed, each with evidence", async () => {
    const created = await put("2026-03-06", { kind: "rest", reason: "Company anniversary" });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      override: {
        region: "CN",
        date: "2026-03-06",
        kind: "rest",
        reason: "Company anniversary",
        createdBy: "employee:HR1",
      },
      changed: true,
    });
    const same = await put("2026-03-06", { kind: "rest", reason: "Company anniversary" });
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ changed: false });
    expect(await evidence("calendar.override.set")).toBe(1);

    const day = await get("/api/v1/calendar/days/2026-03-06");
    expect(await day.json()).toEqual({
      date: "2026-03-06",
      region: "CN",
      workingDay: false,
      override: { kind: "rest", reason: "Company anniversary" },
    });
    expect(
      await (await get("/api/v1/calendar/add-working-days?from=2026-03-05&days=1")).json(),
    ).toMatchObject({
      date: "2026-03-09",
    });
    // A company rest day is not a public rest day: Art. 203 does not move day 15 off it.
    await put("2026-03-25", { kind: "rest", reason: "Offsite" });
    expect(await (await get("/api/v1/legal/last-day?noticeDate=2026-02-08")).json()).toMatchObject({
      transferDue: "2026-03-25",
      transferDueExtended: "2026-03-25",
    });

    const work = await put("2026-02-16", { kind: "work", region: "cn", reason: "Stock-take" });
    expect(work.status).toBe(201);
    await put("2026-12-25", { kind: "rest", region: "US", reason: "Christmas Day" });
    await put("2027-01-08", { kind: "rest", reason: "Team day" });

    const list = await get("/api/v1/calendar/overrides?region=CN&year=2026");
    const listed = (await list.json()) as { overrides: { date: string; region: string }[] };
    expect(listed.overrides.map((o) => o.date)).toEqual(["2026-02-16", "2026-03-06", "2026-03-25"]);
    const all = (await (await get("/api/v1/calendar/overrides")).json()) as {
      overrides: { region: string }[];
    };
    expect(all.overrides).toHaveLength(5);
    const us = (await (await get("/api/v1/calendar/overrides?region=us")).json()) as { overrides: unknown[] };
    expect(us.overrides).toHaveLength(1);
    expect((await get("/api/v1/calendar/days/2026-12-25?region=US")).status).toBe(200);

    expect((await del("/api/v1/calendar/overrides/2026-03-06")).status).toBe(204);
    expect(await (await get("/api/v1/calendar/days/2026-03-06")).json()).toMatchObject({ workingDay: true });
    const again = await del("/api/v1/calendar/overrides/2026-03-06");
    expect(again.status).toBe(404);
    expect(((await again.json()) as ErrorBody).error.message).toBe(
      "There is no calendar override for 2026-03-06 in CN.",
    );
    expect((await del("/api/v1/calendar/overrides/2026-12-25?region=US")).status).toBe(204);
    expect(await evidence("calendar.override.set")).toBe(5);
    expect(await evidence("calendar.override.removed")).toBe(2);
    const data = await database.query<{ data: Record<string, unknown> }>(
      sql`select data from evidence_entries where action = 'calendar.override.set' and subject = 'calendar:CN:2026-03-06'`,
    );
    expect(data[0]?.data).toMatchObject({
      region: "CN",
      date: "2026-03-06",
      kind: "rest",
      previousKind: null,
    });
    expect(JSON.stringify(data[0]?.data)).not.toContain("anniversary");
  });

  it("refuse bad input and change nothing", async () => {
    const cases: [string, unknown, number][] = [
      ["2026-03-06", { kind: "holiday", reason: "x" }, 400],
      ["2026-03-06", { kind: "rest" }, 400],
      ["2026-03-06", { kind: "rest", reason: "   " }, 400],
      ["2026-03-06", { kind: "rest", reason: "x".repeat(501) }, 400],
      ["2026-03-06", "{not json", 400],
      ["2026-02-30", { kind: "rest", reason: "x" }, 400],
      ["2026-03-06", { kind: "rest", reason: "x", region: "XX" }, 422],
      ["1999-03-06", { kind: "rest", reason: "x" }, 422],
    ];
    for (const [date, body, status] of cases) {
      const res = await put(date, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as ErrorBody).error.code).toBe(
        status === 400 ? "bad_request" : "unprocessable",
      );
    }
    expect((await del("/api/v1/calendar/overrides/2026-13-01")).status).toBe(400);
    expect((await del("/api/v1/calendar/overrides/2026-03-06?region=XX")).status).toBe(422);
    expect((await get("/api/v1/calendar/overrides?year=26")).status).toBe(400);
    expect((await get("/api/v1/calendar/overrides?region=XX")).status).toBe(422);
    expect(await overrideRows()).toBe(0);
    expect(await count(sql`select count(*)::int as n from evidence_entries`)).toBe(0);
  });
});

describe("GET /api/v1/calendar/status", () => {
  it("says which years are official and which need the official schedule", async () => {
    const before = await get("/api/v1/calendar/status");
    expect(before.status).toBe(200);
    const body = (await before.json()) as {
      today: string;
      officialThrough: number;
      years: { year: number; status: string; provisionalSince?: string }[];
      needsOfficialSchedule: number[];
      notices: { key: string; text: string }[];
    };
    expect(body.today).toBe("2026-03-02");
    expect(body.officialThrough).toBe(2026);
    expect(body.years).toEqual([
      { region: "CN", year: 2026, status: "official", needsSchedule: false, overrides: 0 },
      { region: "CN", year: 2027, status: "provisional", needsSchedule: true, overrides: 0 },
    ]);
    expect(body.needsOfficialSchedule).toEqual([2027]);
    expect(body.notices[0]?.text).toContain("The official 2027 holiday schedule is not in Baton yet");

    await get("/api/v1/calendar/days/2027-05-03");
    await put("2027-02-09", { kind: "rest", reason: "Announced block" });
    const after = (await (
      await get("/api/v1/calendar/status", reader, { "accept-language": "zh-CN" })
    ).json()) as typeof body;
    expect(after.years[1]).toMatchObject({ year: 2027, status: "provisional", overrides: 1 });
    expect(after.years[1]?.provisionalSince).toBe("2026-03-02T02:00:00.000Z");
    expect(after.notices[0]?.text).toContain("2027 年");
  });
});

describe("PUT /api/v1/calendar/years/:year/confirm", () => {
  const confirm = (year: string, body: unknown, token = writer) =>
    t.request(`/api/v1/calendar/years/${year}/confirm`, {
      method: "PUT",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify(body),
    });

  it("makes a provisional year's answers firm once HR has entered and confirmed its schedule", async () => {
    const before = (await (await get("/api/v1/calendar/days/2027-02-09")).json()) as Record<string, unknown>;
    expect(before).toMatchObject({ workingDay: true, provisional: true });
    await put("2027-02-09", { kind: "rest", reason: "Spring Festival block" });
    await put("2027-02-20", { kind: "work", reason: "make-up working day" });

    expect((await confirm("2027", { basis: "国办发明电〔2026〕99号" }, reader)).status).toBe(403);
    const done = await confirm("2027", { basis: "国办发明电〔2026〕99号" });
    expect(done.status).toBe(201);
    expect(await done.json()).toMatchObject({ region: "CN", year: 2027, overrides: 2 });
    expect((await confirm("2027", { basis: "again" })).status).toBe(200);
    expect(await evidence("calendar.year.confirmed")).toBe(1);

    const after = (await (await get("/api/v1/calendar/days/2027-02-09")).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ workingDay: false });
    expect(after.provisional).toBeUndefined();
    const add = (await (
      await get("/api/v1/calendar/add-working-days?from=2027-02-19&days=1")
    ).json()) as Record<string, unknown>;
    expect(add).toMatchObject({ date: "2027-02-20" });
    expect(add.provisional).toBeUndefined();
    const status = (await (await get("/api/v1/calendar/status")).json()) as {
      years: { year: number; status: string }[];
      needsOfficialSchedule: number[];
    };
    expect(status.years.find((y) => y.year === 2027)?.status).toBe("confirmed");
    expect(status.needsOfficialSchedule).toEqual([]);
  });

  it("refuses an official year, a bad year or a missing basis", async () => {
    expect((await confirm("2026", { basis: "x" })).status).toBe(422);
    expect((await confirm("27", { basis: "x" })).status).toBe(400);
    expect((await confirm("2027", { basis: "  " })).status).toBe(400);
    expect((await confirm("2027", {})).status).toBe(400);
    expect((await confirm("2027", { basis: "x", region: "US" })).status).toBe(422);
    expect(await evidence("calendar.year.confirmed")).toBe(0);
  });
});
