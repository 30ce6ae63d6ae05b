import {
  type NotificationSender,
  type OutgoingMessage,
  PermanentDeliveryError,
} from "../../core/notifications/delivery.ts";
import { type CrmHandoverData, crmHandoverKind, crmHandoverRequest } from "./crm/messages.ts";
import {
  type FinanceSettlementData,
  financeSettlementKind,
  financeSettlementRequest,
} from "./finance/messages.ts";
import { type ConnectorEndpoint, postSignedJson } from "./outbound.ts";

export type ConnectorSystem = "crm" | "finance";

/** The request body for an outbox row of a connector kind. */
function requestOf(message: OutgoingMessage, at: Date): unknown {
  switch (message.kind) {
    case crmHandoverKind:
      return crmHandoverRequest(message.data as CrmHandoverData, at);
    case financeSettlementKind:
      return financeSettlementRequest(message.data as FinanceSettlementData, at);
    default:
      throw new PermanentDeliveryError(`no connector sends ${message.kind}`);
  }
}

/**
 * The sender for `{ type: "system" }` recipients: each configured system gets signed JSON POSTed
 * to its URL. A system that is not configured goes to `fallback` (the recording sink), so
 * nothing is lost while a connector is off.
 */
export function connectorSender(options: {
  endpoints: Partial<Record<ConnectorSystem, ConnectorEndpoint>>;
  clock: { now(): Date };
  fallback?: NotificationSender;
}): NotificationSender {
  return {
    async send(message) {
      if (message.recipient.type !== "system") throw new PermanentDeliveryError("not a system recipient");
      const system = message.recipient.system;
      const endpoint = system === "crm" || system === "finance" ? options.endpoints[system] : undefined;
      if (!endpoint) {
        if (options.fallback) return options.fallback.send(message);
        throw new PermanentDeliveryError(`the ${system} connector is off`);
      }
      const [first] = message.items;
      if (!first || message.items.length !== 1)
        throw new PermanentDeliveryError("connector calls are not folded");
      const now = options.clock.now();
      const messageId = `msg_baton_${first.outboxId}`;
      await postSignedJson(endpoint, { messageId, payload: requestOf(message, now), now });
      return { reference: messageId };
    },
  };
}
