import { CalendarRangeError } from "../../core/compliance/calendar.ts";
import { isWeekend } from "../../core/compliance/dates.ts";
import { normaliseRegion } from "../../core/compliance/regions.ts";
import type { WorkingDayTest } from "../../core/training/working-hours.ts";
import { loadCalendar } from "../calendar.ts";
import type { Db } from "../client.ts";

/**
 * Working-day tests per jurisdiction from the business calendar (CN with 调休 and HR overrides),
 * loaded once per use; outside the calendar's range it falls back to Monday–Friday.
 */
export function workingDayTests(db: Db): (jurisdiction: string) => Promise<WorkingDayTest> {
  const cache = new Map<string, Promise<WorkingDayTest>>();
  return (jurisdiction) => {
    const region = normaliseRegion(jurisdiction) ?? "CN";
    let test = cache.get(region);
    if (!test) {
      test = loadCalendar(db, region).then((calendar) => (date: string) => {
        try {
          return calendar.isWorkingDay(date).workingDay;
        } catch (error) {
          if (error instanceof CalendarRangeError) return !isWeekend(date);
          throw error;
        }
      });
      cache.set(region, test);
    }
    return test;
  };
}
