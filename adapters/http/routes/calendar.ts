import type { Context, Hono } from "hono";
import { z } from "zod";
import { type DayInfo, provisionalYears } from "../../../core/compliance/calendar.ts";
import { isIsoDate } from "../../../core/compliance/dates.ts";
import { legalClock } from "../../../core/compliance/legal-clock.ts";
import { AppError } from "../../../core/errors.ts";
import { isMessageKey, translate } from "../../../core/messages/index.ts";
import {
  answerFromCalendar,
  calendarStatus,
  confirmCalendarYear,
  listCalendarOverrides,
  maxReasonLength,
  removeCalendarOverride,
  requireDate,
  requireRegion,
  setCalendarOverride,
} from "../../../db/calendar.ts";
import { readJson, readQuery } from "../body.ts";
import { requestLocale } from "../errors.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { jsonBody, queryParams } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

/** The longest span `add-working-days` accepts: ten years of working days. */
export const maxWorkingDays = 3650;

const date = z.string().refine(isIsoDate, { message: "expected a real date YYYY-MM-DD" });
const region = z.string().max(16).optional();

const addQuery = z.object({
  from: date,
  days: z
    .string()
    .regex(/^\d{1,5}$/, { message: `expected a whole number from 0 to ${maxWorkingDays}` })
    .transform(Number)
    .pipe(z.number().int().min(0).max(maxWorkingDays)),
  region,
});

const regionQuery = z.object({ region });

const lastDayQuery = z.object({
  noticeDate: date,
  probation: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});

const overridesQuery = z.object({
  region,
  year: z
    .string()
    .regex(/^\d{4}$/, { message: "expected a year such as 2026" })
    .transform(Number)
    .optional(),
});

export const overrideBody = z.object({
  kind: z.enum(["work", "rest"]),
  region: z.string().max(16).optional(),
  reason: z.string().trim().min(1).max(maxReasonLength),
});

function dayBody(c: Context<AppEnv>, day: DayInfo, regionCode: string) {
  const key = day.holidayKey ? `calendar.holiday.${day.holidayKey}` : undefined;
  const holiday = key && isMessageKey(key) ? translate(requestLocale(c), key) : day.holiday;
  return {
    date: day.date,
    region: regionCode,
    workingDay: day.workingDay,
    ...(holiday !== undefined ? { holiday } : {}),
    ...(day.holidayKey ? { holidayKey: day.holidayKey } : {}),
    ...(day.makeUpWorkday ? { makeUpWorkday: true } : {}),
    ...(day.override ? { override: day.override } : {}),
    ...(day.provisional ? { provisional: true } : {}),
  };
}

function actorOf(c: Context<AppEnv>): string {
  return c.get("auth")?.principal ?? "unknown";
}

/** The business calendar and the legal clock (DESIGN §4), and HR's overrides. */
export function registerCalendarRoutes(app: Hono<AppEnv>): void {
  app.get("/api/v1/calendar/days/:date", queryParams(regionQuery), async (c) => {
    const day = requireDate(c.req.param("date"), "date");
    const regionCode = requireRegion(readQuery(c, regionQuery).region);
    const { database, clock } = c.get("services");
    const answer = await answerFromCalendar(
      database.db,
      { region: regionCode, at: clock.now() },
      (calendar) => {
        const info = calendar.isWorkingDay(day);
        return {
          value: info,
          provisionalYears: info.provisional ? provisionalYears(calendar, day, day) : [],
        };
      },
    );
    return c.json(dayBody(c, answer.value, regionCode));
  });

  app.get("/api/v1/calendar/add-working-days", queryParams(addQuery), async (c) => {
    const query = readQuery(c, addQuery);
    const regionCode = requireRegion(query.region);
    const { database, clock } = c.get("services");
    const answer = await answerFromCalendar(
      database.db,
      { region: regionCode, at: clock.now() },
      (calendar) => {
        const result = calendar.addWorkingDays(query.from, query.days);
        return { value: result, provisionalYears: provisionalYears(calendar, query.from, result) };
      },
    );
    return c.json({
      from: query.from,
      days: query.days,
      date: answer.value,
      region: regionCode,
      ...(answer.provisional ? { provisional: true } : {}),
    });
  });

  app.get("/api/v1/legal/last-day", queryParams(lastDayQuery), async (c) => {
    const query = readQuery(c, lastDayQuery);
    const { database, clock } = c.get("services");
    // The PRC legal clock: always the CN public calendar (Art. 203 ignores company overrides anyway).
    const answer = await answerFromCalendar(database.db, { region: "CN", at: clock.now() }, (calendar) => {
      const result = legalClock(calendar, { noticeDate: query.noticeDate, probation: query.probation });
      return { value: result, provisionalYears: result.provisionalYears };
    });
    const result = answer.value;
    return c.json({
      noticeDate: result.noticeDate,
      probation: result.probation,
      legalLastDay: result.legalLastDay,
      certificateDue: result.certificateDue,
      transferDue: result.transferDue,
      transferDueExtended: result.transferDueExtended,
      ...(answer.provisional ? { provisional: true } : {}),
    });
  });

  app.get("/api/v1/calendar/overrides", queryParams(overridesQuery), async (c) => {
    const query = readQuery(c, overridesQuery);
    const overrides = await listCalendarOverrides(c.get("services").database.db, {
      ...(query.region === undefined ? {} : { region: query.region }),
      ...(query.year === undefined ? {} : { year: query.year }),
    });
    return c.json({ overrides });
  });

  app.put(
    "/api/v1/calendar/overrides/:date",
    requireScope("calendar:write"),
    jsonBody(overrideBody),
    async (c) => {
      const day = requireDate(c.req.param("date"), "date");
      const body = await readJson(c, overrideBody);
      const { database, clock } = c.get("services");
      const result = await setCalendarOverride(database.db, {
        ...(body.region === undefined ? {} : { region: body.region }),
        date: day,
        kind: body.kind,
        reason: body.reason,
        actor: actorOf(c),
        at: clock.now(),
      });
      return c.json({ override: result.override, changed: result.changed }, result.created ? 201 : 200);
    },
  );

  app.delete(
    "/api/v1/calendar/overrides/:date",
    requireScope("calendar:write"),
    queryParams(regionQuery),
    async (c) => {
      const day = requireDate(c.req.param("date"), "date");
      const query = readQuery(c, regionQuery);
      const { database, clock } = c.get("services");
      await removeCalendarOverride(database.db, {
        ...(query.region === undefined ? {} : { region: query.region }),
        date: day,
        actor: actorOf(c),
        at: clock.now(),
      });
      return c.body(null, 204);
    },
  );

  app.get("/api/v1/calendar/status", async (c) => {
    const { database, clock, config } = c.get("services");
    const status = await calendarStatus(database.db, clock.now(), { timeZone: config.BATON_TIMEZONE });
    const locale = requestLocale(c);
    return c.json({
      ...status,
      notices: status.notices.map((n) => ({ ...n, text: translate(locale, n.key, n.params) })),
    });
  });

  const confirmYearBody = z.object({ basis: z.string(), region: z.string().optional() }).strict();

  app.put(
    "/api/v1/calendar/years/:year/confirm",
    requireScope("calendar:write"),
    jsonBody(confirmYearBody),
    async (c) => {
      const year = Number(c.req.param("year"));
      if (!/^\d{4}$/.test(c.req.param("year")))
        throw new AppError("bad_request", "The year must be four digits.");
      const body = await readJson(c, confirmYearBody);
      const { database, clock } = c.get("services");
      const result = await confirmCalendarYear(database.db, {
        ...(body.region === undefined ? {} : { region: body.region }),
        year,
        basis: body.basis,
        actor: actorOf(c),
        at: clock.now(),
      });
      return c.json(result, result.evidenceId ? 201 : 200);
    },
  );
}
