/** Formatting the bot's cards need (pure). */

/**
 * An instant as the person reads it: `2026-03-02 10:00:05 (Asia/Shanghai)` — the wall clock of
 * their time zone, named. An unknown zone or a malformed instant is shown as given.
 */
export function formatInstant(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    }).formatToParts(instant);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
    return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}:${part("second")} (${timeZone})`;
  } catch {
    return iso;
  }
}
