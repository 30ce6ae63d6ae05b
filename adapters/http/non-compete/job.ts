import type { TickJob } from "../../../core/ports.ts";
import { runNonCompeteTick } from "../../../db/non-competes.ts";
import type { ModuleServices } from "../connectors/actions.ts";

/**
 * Monthly non-compete payments (DESIGN §6): remind finance when a month's pay falls due (once per
 * month), flag three unpaid months to HR and the employee (SPC-I Art. 38), complete after the end.
 */
export function nonCompeteJob(services: ModuleServices): TickJob {
  return {
    name: "non-compete-payments",
    async run(now) {
      await runNonCompeteTick(services.database.db, now);
    },
  };
}
