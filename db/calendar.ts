import { createHash } from "node:crypto";
import {
  type BusinessCalendar,
  type CalendarOverride,
  CalendarRangeError,
  type OverrideKind,
} from "../core/compliance/calendar.ts";
import { cnCalendarRange, cnProvisionalPrefill, cnYearStatus } from "../core/compliance/cn-calendar.ts";
import { dateInTimeZone, type IsoDate, isIsoDate, yearOf } from "../core/compliance/dates.ts";
import { createCalendar, normaliseRegion } from "../core/compliance/regions.ts";
import { AppError } from "../core/errors.ts";
import type { MessageKey } from "../core/messages/index.ts";
import type { Db } from "./client.ts";
import { calendarRepository, type StoredCalendarOverride } from "./repositories/calendar.ts";
import { recordEvidence } from "./repositories/evidence.ts";

export type CalendarOverrideView = {
  region: string;
  date: IsoDate;
  kind: OverrideKind;
  reason: string;
  createdBy: string;
  createdAt: string;
};

export const maxReasonLength = 500;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function view(row: StoredCalendarOverride): CalendarOverrideView {
  return {
    region: row.region,
    date: row.date,
    kind: row.kind,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

// Input checks shared by the HTTP routes and the CLI: they throw AppErrors with catalogue keys.

/** The canonical region (`cn` → `CN`); default CN; an unknown one is a 422. */
export function requireRegion(value: string | undefined): string {
  if (value === undefined) return "CN";
  const region = normaliseRegion(value);
  if (!region) {
    throw new AppError("unprocessable", `There is no calendar for region ${value}.`, {
      messageKey: "calendar.unknown_region",
      params: { region: value.slice(0, 20) },
    });
  }
  return region;
}

export function requireDate(value: string | undefined, field: string): IsoDate {
  if (value === undefined || !isIsoDate(value)) {
    throw new AppError("bad_request", `${field} must be a real date written YYYY-MM-DD.`, {
      messageKey: "calendar.bad_date",
      params: { field },
      details: [{ path: field, code: "invalid_date", message: "expected a real date YYYY-MM-DD" }],
    });
  }
  return value;
}

export function outOfRange(error: CalendarRangeError): AppError {
  return new AppError("unprocessable", error.message, {
    messageKey: "calendar.out_of_range",
    params: { date: error.date, first: error.first, last: error.last },
  });
}

/** Runs a calendar computation, turning a date outside the calendar into a 422. */
export function withinCalendar<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CalendarRangeError) throw outOfRange(error);
    throw error;
  }
}

/** The business calendar of a region with its HR overrides. */
export async function loadCalendar(db: Db, region: string): Promise<BusinessCalendar> {
  const canonical = requireRegion(region);
  const repository = calendarRepository(db);
  const [rows, confirmed] = await Promise.all([
    repository.listOverrides({ region: canonical }),
    repository.listConfirmedYears(canonical),
  ]);
  const overrides: CalendarOverride[] = rows.map((r) => ({ date: r.date, kind: r.kind, reason: r.reason }));
  return createCalendar(canonical, { overrides, confirmedYears: confirmed.map((c) => c.year) });
}

class AlreadyReported extends Error {}

/**
 * Writes one `calendar.year.provisional` evidence entry per region-year the first time Baton
 * answers from a provisional year; later calls find the year noted and write nothing. Returns the
 * ids of the entries written (wake the chain writer when there are any).
 */
export async function reportProvisionalYears(
  db: Db,
  input: { region: string; years: readonly number[]; at: Date },
): Promise<string[]> {
  if (input.years.length === 0) return [];
  const known = new Set(
    (await calendarRepository(db).listProvisionalYears(input.region, input.years)).map((r) => r.year),
  );
  const written: string[] = [];
  for (const year of input.years) {
    if (known.has(year)) continue;
    try {
      const id = await db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const evidenceId = await recordEvidence(tx, {
          at: input.at,
          actor: "system:baton",
          action: "calendar.year.provisional",
          subject: `calendar:${input.region}:${year}`,
          data: {
            region: input.region,
            year,
            source: "chinese-days has no State Council schedule for this year",
            rule: "Holiday Measures (2024 revision) Art. 2: fixed statutory holidays on Mon–Fri",
            prefilled: cnProvisionalPrefill(year),
          },
        });
        const claimed = await calendarRepository(tx).claimProvisionalYear({
          region: input.region,
          year,
          evidenceId,
          reportedAt: input.at,
        });
        if (!claimed) throw new AlreadyReported(); // another request won the race: drop our entry
        return evidenceId;
      });
      written.push(id);
    } catch (error) {
      if (!(error instanceof AlreadyReported)) throw error;
    }
  }
  return written;
}

/**
 * Loads the region's calendar, runs `fn` on it and reports the provisional years its answer
 * depended on. `fn` returns the answer and those years (see `provisionalYears`).
 */
export async function answerFromCalendar<T>(
  db: Db,
  input: { region: string; at: Date },
  fn: (calendar: BusinessCalendar) => { value: T; provisionalYears: readonly number[] },
): Promise<{ value: T; provisional: boolean; evidenceIds: string[] }> {
  const calendar = await loadCalendar(db, input.region);
  const { value, provisionalYears } = withinCalendar(() => fn(calendar));
  const evidenceIds = await reportProvisionalYears(db, {
    region: calendar.region,
    years: provisionalYears,
    at: input.at,
  });
  return { value, provisional: provisionalYears.length > 0, evidenceIds };
}

function requireKind(value: string): OverrideKind {
  if (value !== "work" && value !== "rest") {
    throw new AppError("bad_request", "The kind must be work or rest.", { messageKey: "calendar.bad_kind" });
  }
  return value;
}

function requireReason(value: string): string {
  const reason = value.trim();
  if (reason.length === 0 || reason.length > maxReasonLength) {
    throw new AppError("bad_request", `Give a reason of 1 to ${maxReasonLength} characters.`, {
      messageKey: "calendar.reason_required",
      params: { max: maxReasonLength },
    });
  }
  return reason;
}

function requireInRange(region: string, date: IsoDate): void {
  withinCalendar(() => createCalendar(region).isWorkingDay(date));
}

function requireActor(actor: string): string {
  if (actor.trim().length === 0) throw new AppError("bad_request", "The acting person or system is missing.");
  return actor;
}

export type SetOverrideInput = {
  region?: string;
  date: string;
  kind: string;
  reason: string;
  /** Who decides: a principal such as `employee:E1001` or `system:cli`. */
  actor: string;
  at?: Date;
};

/**
 * Sets (or replaces) the HR override for a date, with an evidence entry `calendar.override.set`.
 * Setting the same kind and reason again changes nothing and records nothing.
 */
export async function setCalendarOverride(
  db: Db,
  input: SetOverrideInput,
): Promise<{ override: CalendarOverrideView; created: boolean; changed: boolean; evidenceId?: string }> {
  const region = requireRegion(input.region);
  const date = requireDate(input.date, "date");
  const kind = requireKind(input.kind);
  const reason = requireReason(input.reason);
  const actor = requireActor(input.actor);
  requireInRange(region, date);
  const at = input.at ?? new Date();
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const repository = calendarRepository(tx);
    const before = await repository.findOverride(region, date);
    if (before && before.kind === kind && before.reason === reason) {
      return { override: view(before), created: false, changed: false };
    }
    const row: StoredCalendarOverride = { region, date, kind, reason, createdBy: actor, createdAt: at };
    await repository.upsertOverride(row);
    const evidenceId = await recordEvidence(tx, {
      at,
      actor,
      action: "calendar.override.set",
      subject: `calendar:${region}:${date}`,
      data: { region, date, kind, previousKind: before?.kind ?? null, reasonSha256: sha256(reason) },
    });
    return { override: view(row), created: before === undefined, changed: true, evidenceId };
  });
}

/** Removes the override for a date (404 when there is none), with an evidence entry `calendar.override.removed`. */
export async function removeCalendarOverride(
  db: Db,
  input: { region?: string; date: string; actor: string; at?: Date },
): Promise<{ removed: CalendarOverrideView; evidenceId: string }> {
  const region = requireRegion(input.region);
  const date = requireDate(input.date, "date");
  const actor = requireActor(input.actor);
  const at = input.at ?? new Date();
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const removed = await calendarRepository(tx).deleteOverride(region, date);
    if (!removed) {
      throw new AppError("not_found", `There is no calendar override for ${date} in ${region}.`, {
        messageKey: "calendar.override_not_found",
        params: { date, region },
      });
    }
    const evidenceId = await recordEvidence(tx, {
      at,
      actor,
      action: "calendar.override.removed",
      subject: `calendar:${region}:${date}`,
      data: { region, date, kind: removed.kind, reasonSha256: sha256(removed.reason) },
    });
    return { removed: view(removed), evidenceId };
  });
}

/** Overrides of one region (or all) and one year (or all), by region and date. */
export async function listCalendarOverrides(
  db: Db,
  filter: { region?: string; year?: number } = {},
): Promise<CalendarOverrideView[]> {
  const region = filter.region === undefined ? undefined : requireRegion(filter.region);
  if (
    filter.year !== undefined &&
    (!Number.isInteger(filter.year) || filter.year < 1900 || filter.year > 2100)
  ) {
    throw new AppError("bad_request", "The year must be a whole number from 1900 to 2100.");
  }
  const rows = await calendarRepository(db).listOverrides({
    ...(region === undefined ? {} : { region }),
    ...(filter.year === undefined ? {} : { from: `${filter.year}-01-01`, to: `${filter.year}-12-31` }),
  });
  return rows.map(view);
}

export type CalendarYearStatus = {
  region: "CN";
  year: number;
  /** official: from the State Council schedule Baton ships; confirmed: entered and confirmed by HR. */
  status: "official" | "confirmed" | "provisional";
  /** True when the year is provisional: HR should get the official schedule in. */
  needsSchedule: boolean;
  /** When Baton first answered from the provisional pre-fill (the evidence entry's time). */
  provisionalSince?: string;
  /** HR overrides in CN for this year. */
  overrides: number;
};

export type CalendarStatus = {
  region: "CN";
  today: IsoDate;
  /** The last year whose State Council schedule Baton has (from chinese-days). */
  officialThrough: number;
  /** This year and next. */
  years: CalendarYearStatus[];
  /** Years (this or next) that still need the official schedule. */
  needsOfficialSchedule: number[];
  /** Texts for HR, as catalogue keys with their parameters. */
  notices: { key: MessageKey; params: Record<string, string | number> }[];
};

/** Which CN years are official and which provisional, this year and next (`now` in `timeZone`). */
export async function calendarStatus(
  db: Db,
  now: Date,
  options: { timeZone?: string } = {},
): Promise<CalendarStatus> {
  const today = dateInTimeZone(now, options.timeZone ?? "Asia/Shanghai");
  const thisYear = yearOf(today);
  let officialThrough = yearOf(cnCalendarRange.first);
  for (let year = officialThrough; year <= yearOf(cnCalendarRange.last); year++) {
    if (cnYearStatus(year) === "official") officialThrough = year;
  }
  const repository = calendarRepository(db);
  const candidates = [thisYear, thisYear + 1].filter((y) => y <= yearOf(cnCalendarRange.last));
  const reported = new Map(
    (await repository.listProvisionalYears("CN", candidates)).map((r) => [r.year, r.reportedAt]),
  );
  const confirmed = new Set((await repository.listConfirmedYears("CN")).map((c) => c.year));
  const years: CalendarYearStatus[] = [];
  for (const year of candidates) {
    const shipped = cnYearStatus(year);
    const status = shipped === "provisional" && confirmed.has(year) ? "confirmed" : shipped;
    const overrides = await repository.listOverrides({
      region: "CN",
      from: `${year}-01-01`,
      to: `${year}-12-31`,
    });
    const since = reported.get(year);
    years.push({
      region: "CN",
      year,
      status,
      needsSchedule: status === "provisional",
      ...(status === "provisional" && since ? { provisionalSince: since.toISOString() } : {}),
      overrides: overrides.length,
    });
  }
  const needsOfficialSchedule = years.filter((y) => y.status === "provisional").map((y) => y.year);
  return {
    region: "CN",
    today,
    officialThrough,
    years,
    needsOfficialSchedule,
    notices: needsOfficialSchedule.map((year) => ({
      key: "calendar.needs_schedule" as const,
      params: { year, officialThrough },
    })),
  };
}

/**
 * HR confirms that a provisional year's official schedule is in (entered as overrides: the rest
 * blocks and the make-up working days), naming the notice it came from. Answers from that year are
 * then no longer provisional. An evidence entry `calendar.year.confirmed` records it.
 */
export async function confirmCalendarYear(
  db: Db,
  input: { region?: string; year: number; basis: string; actor: string; at?: Date },
): Promise<{ region: string; year: number; basis: string; overrides: number; evidenceId?: string }> {
  const region = requireRegion(input.region);
  const actor = requireActor(input.actor);
  const basis = requireReason(input.basis);
  const at = input.at ?? new Date();
  if (region !== "CN") {
    throw new AppError("unprocessable", "Only the CN calendar has provisional years to confirm.");
  }
  if (
    !Number.isInteger(input.year) ||
    input.year < yearOf(cnCalendarRange.first) ||
    input.year > yearOf(cnCalendarRange.last)
  ) {
    throw new AppError(
      "unprocessable",
      `The year must be from ${yearOf(cnCalendarRange.first)} to ${yearOf(cnCalendarRange.last)}.`,
    );
  }
  if (cnYearStatus(input.year) === "official") {
    throw new AppError(
      "unprocessable",
      `${input.year} already has the official State Council schedule; nothing to confirm.`,
    );
  }
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const repository = calendarRepository(tx);
    const overrides = await repository.listOverrides({
      region,
      from: `${input.year}-01-01`,
      to: `${input.year}-12-31`,
    });
    const fresh = await repository.confirmYear({
      region,
      year: input.year,
      basis,
      confirmedBy: actor,
      confirmedAt: at,
    });
    if (!fresh) return { region, year: input.year, basis, overrides: overrides.length };
    const evidenceId = await recordEvidence(tx, {
      at,
      actor,
      action: "calendar.year.confirmed",
      subject: `calendar:${region}:${input.year}`,
      data: {
        region,
        year: input.year,
        basis,
        overrides: overrides.map((o) => ({ date: o.date, kind: o.kind })),
      },
    });
    return { region, year: input.year, basis, overrides: overrides.length, evidenceId };
  });
}
