import chineseDays from "chinese-days";
import type { HolidayKey } from "./calendar.ts";
import { addDays, eachDate, formatIsoDate, type IsoDate } from "./dates.ts";

/** The English names chinese-days uses, which the provisional pre-fill reuses. */
export const holidayNames: Readonly<Record<HolidayKey, string>> = {
  new_year: "New Year's Day",
  spring_festival: "Spring Festival",
  qingming: "Tomb-sweeping Day",
  labour_day: "Labour Day",
  dragon_boat: "Dragon Boat Festival",
  mid_autumn: "Mid-autumn Festival",
  national_day: "National Day",
  victory_day: "Anti-Fascist 70th Day",
};

const keyByName = new Map<string, HolidayKey>(
  Object.entries(holidayNames).map(([key, name]) => [name, key as HolidayKey]),
);

/** chinese-days names a schedule day "English,中文,days"; ordinary days carry a weekday name. */
function parseLibraryName(raw: string): { name: string; key: HolidayKey | undefined } | undefined {
  if (!raw.includes(",")) return undefined;
  const name = raw.split(",")[0] ?? raw;
  return { name, key: keyByName.get(name) };
}

export type ScheduleDay = { date: IsoDate; work: boolean; name: string; key: HolidayKey | undefined };

/** Solar date of the first day of the lunar year that starts in Gregorian `year`. */
function lunarNewYear(year: number): IsoDate {
  return chineseDays.getSolarDateFromLunar(`${year}-01-01`).date;
}

const officialCache = new Map<number, boolean>();

/**
 * Whether chinese-days holds the State Council schedule for `year`. Every notice gives the Spring
 * Festival (正月初一 always falls on Jan 21–Feb 20 of the same year) as a rest day; a year without
 * a schedule answers 初一 as a plain weekday or weekend with a weekday name.
 */
export function hasOfficialSchedule(year: number): boolean {
  let official = officialCache.get(year);
  if (official === undefined) {
    const detail = chineseDays.getDayDetail(lunarNewYear(year));
    official = !detail.work && parseLibraryName(detail.name)?.key === "spring_festival";
    officialCache.set(year, official);
  }
  return official;
}

/** The rest and make-up days chinese-days lists for `year` (empty for a year it lacks). */
export function libraryScheduleDays(year: number): ScheduleDay[] {
  const days: ScheduleDay[] = [];
  for (const date of eachDate(formatIsoDate(year, 1, 1), formatIsoDate(year, 12, 31))) {
    const detail = chineseDays.getDayDetail(date);
    const parsed = parseLibraryName(detail.name);
    if (parsed) days.push({ date, work: detail.work, name: parsed.name, key: parsed.key });
  }
  return days;
}

/**
 * The public holidays that Holiday Measures Art. 2 (as revised 2024-11-10, in force 2025) fixes
 * by date: 元旦 Jan 1; 春节 除夕 and 正月初一–初三; 清明 (the solar-term day); 劳动节 May 1–2;
 * 端午 (lunar 5/5); 中秋 (lunar 8/15); 国庆 Oct 1–3. Used for years whose schedule is not out yet;
 * the swaps and make-up working days (Arts. 6–7) are left to the official notice, not guessed.
 */
export function statutoryHolidays(year: number): ScheduleDay[] {
  const newYear = lunarNewYear(year);
  const rest = (date: IsoDate, key: HolidayKey): ScheduleDay => ({
    date,
    work: false,
    name: holidayNames[key],
    key,
  });
  const days = [
    rest(formatIsoDate(year, 1, 1), "new_year"),
    rest(addDays(newYear, -1), "spring_festival"),
    rest(newYear, "spring_festival"),
    rest(addDays(newYear, 1), "spring_festival"),
    rest(addDays(newYear, 2), "spring_festival"),
    rest(chineseDays.getSolarTermDate(year, 4, "pure_brightness"), "qingming"),
    rest(formatIsoDate(year, 5, 1), "labour_day"),
    rest(formatIsoDate(year, 5, 2), "labour_day"),
    rest(chineseDays.getSolarDateFromLunar(`${year}-05-05`).date, "dragon_boat"),
    rest(chineseDays.getSolarDateFromLunar(`${year}-08-15`).date, "mid_autumn"),
    rest(formatIsoDate(year, 10, 1), "national_day"),
    rest(formatIsoDate(year, 10, 2), "national_day"),
    rest(formatIsoDate(year, 10, 3), "national_day"),
  ];
  // Mid-Autumn can fall on Oct 1–3; one rest day then serves both.
  const seen = new Set<IsoDate>();
  return days.filter((d) => !seen.has(d.date) && seen.add(d.date)).sort((a, b) => (a.date < b.date ? -1 : 1));
}
