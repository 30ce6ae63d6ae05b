/**
 * Messages to people go out in working hours, 09:00–19:00 on working days in their own time zone
 * (DESIGN §6); training uses the shared implementation.
 */
export {
  instantAt as instantAtLocalHour,
  localTime as localClock,
  nextWorkingMoment,
  type WorkingDayTest,
  weekdaysOnly,
  workingHours,
} from "../compliance/local-time.ts";

export type LocalClock = { date: string; hour: number; minute: number };
