import type { TickJob } from "../../../core/ports.ts";
import { type ConnectorSystemName, requestConnectorCalls } from "../../../db/connectors.ts";
import { isSurfaceEnabled } from "../config.ts";
import { type ModuleServices, runConnectorActions } from "./actions.ts";

/**
 * Each tick: queue the CRM call of every handover that started and the finance call of every
 * settlement that started (for the connectors that are on), then carry out the connector actions
 * the inbox left (OA resignations, finance "settled").
 */
export function connectorJob(services: ModuleServices): TickJob {
  return {
    name: "connectors",
    async run(now) {
      const systems = (["crm", "finance"] as const).filter((s): s is ConnectorSystemName =>
        isSurfaceEnabled(services.config, `connector:${s}`),
      );
      if (systems.length > 0) await requestConnectorCalls(services.database.db, { systems, now });
      await runConnectorActions(services, now);
    },
  };
}
