import { queueConnectorAction, recordCrmAccessRevoked, recordCrmAccounts } from "../../../db/connectors.ts";
import type { InboxProcessor } from "../../../db/inbox.ts";
import { recordFinanceAnswer } from "../../../db/settlements.ts";
import { crmEvent } from "../../connectors/crm/messages.ts";
import { financeEvent } from "../../connectors/finance/messages.ts";
import { oaEvent } from "../../connectors/oa/messages.ts";
import type { Services } from "../services.ts";
import { inboxSource } from "./systems.ts";

/**
 * The inbox processors of the connectors. Each runs in the transaction that marks its message
 * done. What goes through the offboarding commands (opening a case, completing settlement) is
 * queued as a connector action, which the connector job runs next (those commands open their own
 * transactions); everything else happens here.
 */
export function connectorProcessors(services: Pick<Services, "clock">): InboxProcessor[] {
  return [
    {
      source: inboxSource("oa"),
      async process(tx, message) {
        const event = oaEvent.parse(message.payload);
        await queueConnectorAction(tx, {
          kind: "open-case",
          system: "oa",
          inboxId: message.id,
          webhookId: message.idempotencyKey,
          payload: { ...event, receivedAt: message.receivedAt.toISOString() },
          now: services.clock.now(),
        });
      },
    },
    {
      source: inboxSource("crm"),
      async process(tx, message) {
        const event = crmEvent.parse(message.payload);
        const now = services.clock.now();
        if (event.type === "accounts.listed") {
          await recordCrmAccounts(tx, {
            caseId: event.caseId,
            accounts: event.accounts,
            webhookId: message.idempotencyKey,
            now,
          });
        } else {
          await recordCrmAccessRevoked(tx, { caseId: event.caseId, webhookId: message.idempotencyKey, now });
        }
      },
    },
    {
      source: inboxSource("finance"),
      async process(tx, message) {
        const event = financeEvent.parse(message.payload);
        const now = services.clock.now();
        await recordFinanceAnswer(tx, {
          caseId: event.caseId,
          status: event.type === "settlement.settled" ? "settled" : "outstanding",
          items: event.type === "settlement.outstanding" ? event.items : [],
          finalWagesFen: event.finalWagesFen,
          actor: "system:finance",
          reference: message.idempotencyKey,
          now,
        });
        if (event.type === "settlement.settled") {
          await queueConnectorAction(tx, {
            kind: "complete-settlement",
            system: "finance",
            inboxId: message.id,
            webhookId: message.idempotencyKey,
            payload: { caseId: event.caseId },
            now,
          });
        }
      },
    },
  ];
}
