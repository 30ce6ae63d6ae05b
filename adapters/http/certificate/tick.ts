import { unissuedCertificateAlerts } from "../../../core/certificate/rules.ts";
import { addDays, dateInTimeZone } from "../../../core/compliance/dates.ts";
import type { TickJob } from "../../../core/ports.ts";
import type { Db } from "../../../db/client.ts";
import { enqueueNotification } from "../../../db/outbox.ts";
import { casesWithoutCertificate } from "../../../db/repositories/certificates.ts";
import { managerChainOf } from "../../../db/repositories/directory.ts";
import type { Services } from "../services.ts";

const personPrefix = "employee:";

/** The manager of a person's principal, as a principal; none for groups (`group:hr`) or the top. */
async function managerOf(db: Db, principal: string | null): Promise<string | null> {
  if (!principal?.startsWith(personPrefix)) return null;
  try {
    const [manager] = await managerChainOf(db, principal.slice(personPrefix.length));
    return manager ? `${personPrefix}${manager.externalId}` : null;
  } catch {
    return null; // the owner left the directory: the HR channel still hears of it
  }
}

/**
 * "Unissued on the last day" (DESIGN §6): each tick, every running case whose last day has come in
 * its own time zone and that has no standing certificate alerts HR's channel, the HR owner of
 * `procedures` and that person's manager — `hr.alert` with urgency `legal`, once per case and day
 * (the outbox dedupe keys carry the day, so ticks on several instances send nothing twice).
 */
export function unissuedCertificateJob(services: Pick<Services, "database" | "logger">): TickJob {
  return {
    name: "certificate.unissued",
    async run(now) {
      const db = services.database.db;
      // No time zone is more than a day ahead of UTC; each case is then read in its own.
      const candidates = await casesWithoutCertificate(db, addDays(dateInTimeZone(now, "UTC"), 1));
      let enqueued = 0;
      for (const kase of candidates) {
        const today = dateInTimeZone(now, kase.timeZone);
        if (kase.plannedLastDay > today) continue;
        const owner = kase.proceduresOwner?.startsWith(personPrefix) ? kase.proceduresOwner : null;
        const alerts = unissuedCertificateAlerts({
          caseId: kase.id,
          employeeExternalId: kase.employeeExternalId,
          entityId: kase.entityId,
          plannedLastDay: kase.plannedLastDay,
          today,
          hrOwner: owner,
          hrOwnerManager: await managerOf(db, owner),
        });
        await db.transaction(async (transaction) => {
          const tx = transaction as unknown as Db;
          for (const alert of alerts) if (await enqueueNotification(tx, alert, now)) enqueued++;
        });
      }
      if (enqueued > 0)
        services.logger.info({ job: "certificate.unissued", enqueued }, "certificate alerts queued");
    },
  };
}
