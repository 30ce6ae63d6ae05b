import type { SenderEntry } from "../../../core/notifications/delivery.ts";
import { connectorSender } from "../../connectors/system-sender.ts";
import type { ModuleServices } from "./actions.ts";
import { connectorEndpoints } from "./systems.ts";

/** Outside systems take a few calls a second; the dispatcher keeps to it per system. */
export const connectorRate = { ratePerSecond: 5, burst: 10 };

/**
 * The sender of `{ type: "system" }` recipients: signed JSON to CRM and finance when their
 * connectors are on; otherwise `fallback` (the recording sink) keeps what would have gone.
 */
export function connectorSenderEntry(services: ModuleServices, fallback: SenderEntry): SenderEntry {
  return {
    sender: connectorSender({
      endpoints: connectorEndpoints(services.config),
      clock: services.clock,
      fallback: fallback.sender,
    }),
    rate: connectorRate,
  };
}
