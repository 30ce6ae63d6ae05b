import type { z } from "zod";
import { crmEvent } from "../../connectors/crm/messages.ts";
import { financeEvent } from "../../connectors/finance/messages.ts";
import { oaEvent } from "../../connectors/oa/messages.ts";
import type { ConnectorEndpoint } from "../../connectors/outbound.ts";
import { type Config, isSurfaceEnabled } from "../config.ts";

/** The outside systems that call Baton at `POST /webhooks/connectors/:system` (DESIGN §8). */
export const connectorSystems = ["oa", "crm", "finance"] as const;
export type ConnectorSystem = (typeof connectorSystems)[number];

export function isConnectorSystem(value: string): value is ConnectorSystem {
  return (connectorSystems as readonly string[]).includes(value);
}

/** What each system may send in. */
export const inboundSchemas: Record<ConnectorSystem, z.ZodType> = {
  oa: oaEvent,
  crm: crmEvent,
  finance: financeEvent,
};

/** The inbox source of a system's messages. */
export const inboxSource = (system: ConnectorSystem) => `connector:${system}`;

/** The secret a system signs with, when its connector is on (its variables are all set). */
export function connectorSecret(config: Config, system: ConnectorSystem): string | undefined {
  if (!isSurfaceEnabled(config, `connector:${system}`)) return undefined;
  switch (system) {
    case "oa":
      return config.CONNECTOR_OA_SECRET;
    case "crm":
      return config.CONNECTOR_CRM_SECRET;
    case "finance":
      return config.CONNECTOR_FINANCE_SECRET;
  }
}

/** Where Baton calls CRM and finance, for the systems that are on. */
export function connectorEndpoints(config: Config): Partial<Record<"crm" | "finance", ConnectorEndpoint>> {
  const out: Partial<Record<"crm" | "finance", ConnectorEndpoint>> = {};
  if (isSurfaceEnabled(config, "connector:crm") && config.CONNECTOR_CRM_URL && config.CONNECTOR_CRM_SECRET)
    out.crm = { system: "crm", url: config.CONNECTOR_CRM_URL, secret: config.CONNECTOR_CRM_SECRET };
  if (
    isSurfaceEnabled(config, "connector:finance") &&
    config.CONNECTOR_FINANCE_URL &&
    config.CONNECTOR_FINANCE_SECRET
  )
    out.finance = {
      system: "finance",
      url: config.CONNECTOR_FINANCE_URL,
      secret: config.CONNECTOR_FINANCE_SECRET,
    };
  return out;
}
