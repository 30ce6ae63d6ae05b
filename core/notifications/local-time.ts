import { localTime } from "../compliance/local-time.ts";

export { localTime };

/** The wall-clock date and time of an instant in an IANA time zone. */
export type LocalTime = ReturnType<typeof localTime>;

/** True from `hour`:`minute` local time on (until midnight): a daily job that missed its minute still runs that day. */
export function isAtOrAfter(local: LocalTime, hour: number, minute = 0): boolean {
  return local.hour > hour || (local.hour === hour && local.minute >= minute);
}
