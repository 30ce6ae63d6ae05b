import type { TickJob } from "../core/ports.ts";
import { calendarStatus } from "./calendar.ts";
import type { Database } from "./client.ts";
import { enqueueNotification } from "./outbox.ts";

export const provisionalCalendarJobName = "calendar-provisional-warning";

/**
 * Tells HR when a year Baton computes deadlines in (this one or the next) has no official State
 * Council schedule yet (DESIGN §6): one `hr.alert` (`calendar.provisional`) per year, to every HR
 * channel, so HR enters the schedule when it is published and confirms the year.
 */
export function provisionalCalendarJob(options: { database: Database; timeZone: string }): TickJob {
  return {
    name: provisionalCalendarJobName,
    async run(now) {
      const { db } = options.database;
      const status = await calendarStatus(db, now, { timeZone: options.timeZone });
      for (const year of status.needsOfficialSchedule) {
        await enqueueNotification(
          db,
          {
            kind: "hr.alert",
            recipient: { type: "channel", purpose: "hr" },
            data: {
              alert: "calendar.provisional",
              region: status.region,
              year,
              officialThrough: status.officialThrough,
              messageKey: "calendar.needs_schedule",
              params: { year, officialThrough: status.officialThrough },
            },
            dedupeKey: `calendar.provisional:${status.region}:${year}`,
          },
          now,
        );
      }
    },
  };
}
