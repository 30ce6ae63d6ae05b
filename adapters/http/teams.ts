/**
 * The Microsoft Teams surface wired to Baton (adapters/teams): the gateway over botbuilder (built
 * on first use, so botbuilder is only loaded where Teams is on), the reference store over the
 * database (db/teams.ts), the turn's dependencies and the `person` / `channel` sender entries.
 *
 * Modes: `authenticated` when `TEAMS_APP_ID`, `TEAMS_APP_PASSWORD` and `TEAMS_TENANT_ID` are set
 * (botbuilder checks every request's JWT; only that tenant is served); `local` with
 * `TEAMS_ALLOW_UNAUTHENTICATED` (config.ts allows it only on loopback with the embedded database):
 * botbuilder runs without an app id — which is how it turns its check off — and Baton then only
 * accepts and calls loopback `serviceUrl`s; `off` otherwise (the route answers 404).
 */

import { parsePrincipal } from "../../core/access/principal.ts";
import { dateInTimeZone } from "../../core/compliance/dates.ts";
import { negotiateLocale } from "../../core/messages/index.ts";
import type { SenderEntry } from "../../core/notifications/delivery.ts";
import { resolveChannels } from "../../db/channels.ts";
import type { Db } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import {
  deleteTeamsReference,
  groupTeamsReference,
  knownTeamsIdentities,
  latestTeamsReference,
  personalTeamsReference,
  recordTeamsDelivery,
  saveTeamsReference,
  type TeamsReferenceRow,
  teamsDelivery,
  teamsIdentityOf,
  teamsPersonFacts,
} from "../../db/teams.ts";
import type { BotFrameworkEndpoints } from "../teams/bot-framework.ts";
import {
  isLoopbackServiceUrl,
  type StoredReference,
  type TeamsGateway,
  type TeamsReference,
  type TeamsSendDeps,
  type TeamsSendStore,
  type TeamsStore,
  type TeamsTurnDeps,
  teamsChannelSender,
  teamsPersonSender,
} from "../teams/index.ts";
import { type Config, isSurfaceEnabled } from "./config.ts";
import type { ModuleServices, Services } from "./services.ts";

export type TeamsMode = "off" | "authenticated" | "local";

export function teamsMode(config: Config): TeamsMode {
  if (config.TEAMS_ALLOW_UNAUTHENTICATED && config.listensOnLoopback && config.database.kind === "pglite")
    return "local";
  if (config.TEAMS_APP_ID && isSurfaceEnabled(config, "teams")) return "authenticated";
  return "off";
}

type TestOverrides = {
  /** Every Bot Framework URL (a local OpenID metadata and key set). */
  endpoints?: BotFrameworkEndpoints;
  /** The bot's outbound token instead of MSAL. */
  outboundToken?: () => Promise<string>;
};

const overrides = new WeakMap<Config, TestOverrides>();
const gateways = new WeakMap<Config, Promise<TeamsGateway>>();

/**
 * Tests only: where botbuilder finds the Bot Framework's keys (all endpoints at once, reference
 * §B1) and a fixed outbound token. Call before the first Teams request of this configuration.
 */
export function configureTeamsForTests(config: Config, options: TestOverrides): void {
  overrides.set(config, options);
  gateways.delete(config);
}

/** The gateway of this configuration (one per configuration; botbuilder is imported on first use). */
export function teamsGatewayOf(config: Config): Promise<TeamsGateway> {
  let gateway = gateways.get(config);
  if (!gateway) {
    const mode = teamsMode(config);
    const extra = overrides.get(config) ?? {};
    gateway = import("../teams/bot-framework.ts").then(({ createBotFrameworkGateway }) =>
      mode === "local"
        ? createBotFrameworkGateway({ appId: undefined, allowServiceUrl: isLoopbackServiceUrl })
        : createBotFrameworkGateway({
            appId: config.TEAMS_APP_ID,
            appPassword: config.TEAMS_APP_PASSWORD,
            tenantId: config.TEAMS_TENANT_ID,
            endpoints: extra.endpoints,
            outboundToken: extra.outboundToken,
          }),
    );
    gateway.catch(() => gateways.delete(config));
    gateways.set(config, gateway);
  }
  return gateway;
}

type Deps = Pick<ModuleServices, "database" | "clock" | "logger" | "config" | "dispatcher">;

function rowOf(stored: StoredReference, now: Date): TeamsReferenceRow {
  return {
    key: stored.key,
    kind: stored.kind,
    userId: stored.userId ?? null,
    aadObjectId: stored.aadObjectId ?? null,
    conversationId: stored.conversationId,
    tenantId: stored.tenantId ?? null,
    serviceUrl: stored.serviceUrl,
    reference: stored.reference as unknown as Record<string, unknown>,
    updatedAt: now,
  };
}

const referenceOf = (row: TeamsReferenceRow | undefined) =>
  row ? (row.reference as unknown as TeamsReference & { locale?: string }) : undefined;

/** The turn's store: references kept and found, identities checked (db/teams.ts). */
export function teamsTurnStore({ database, clock }: Deps): TeamsStore {
  const db = database.db;
  return {
    saveReference: (stored) => saveTeamsReference(db, rowOf(stored, clock.now())),
    dropReference: (key) => deleteTeamsReference(db, key),
    personalReference: async (ids) => referenceOf(await personalTeamsReference(db, ids)),
    knownIdentities: (ids) => knownTeamsIdentities(db, ids),
  };
}

/** What one request's turn needs (the bot is read when the request comes: tests may replace it). */
export function teamsTurnDeps(services: Services, gateway: TeamsGateway): TeamsTurnDeps {
  const { config, clock, logger } = services;
  return {
    bot: services.bot,
    store: teamsTurnStore(services),
    connector: gateway,
    tenantId: teamsMode(config) === "local" ? config.TEAMS_TENANT_ID : (config.TEAMS_TENANT_ID ?? ""),
    channelId: teamsMode(config) === "local" ? undefined : "msteams",
    now: () => clock.now(),
    log: logger,
  };
}

const employeeId = (principal: string) => {
  const parsed = parsePrincipal(principal);
  return parsed?.kind === "employee" ? parsed.id : undefined;
};

/** The senders' store: people's Teams ids and chats, bound channels, posts made, HR alerts. */
export function teamsSendStore(services: Deps): TeamsSendStore {
  const { database, clock, config } = services;
  const db = database.db;
  const turnStore = teamsTurnStore(services);
  return {
    async person(principal) {
      const id = employeeId(principal);
      const teamsId = id === undefined ? undefined : await teamsIdentityOf(db, id);
      if (!teamsId) return undefined;
      const reference = referenceOf(await personalTeamsReference(db, [teamsId]));
      return reference ? { teamsId, reference } : { teamsId };
    },
    async newChatPlace() {
      const tenantId = config.TEAMS_TENANT_ID;
      const latest = await latestTeamsReference(db, tenantId);
      const botId =
        referenceOf(latest)?.bot.id ?? (config.TEAMS_APP_ID ? `28:${config.TEAMS_APP_ID}` : undefined);
      if (!latest || !botId) return undefined;
      return { serviceUrl: latest.serviceUrl, botId, ...(tenantId ? { tenantId } : {}) };
    },
    saveReference: turnStore.saveReference,
    dropReference: turnStore.dropReference,
    groupReference: async (conversationId) => referenceOf(await groupTeamsReference(db, conversationId)),
    async boundChannels(recipient) {
      if (recipient.type !== "channel") return [];
      return (await resolveChannels(db, recipient)).map((c) => ({
        platform: c.platform,
        channelId: c.channelId,
      }));
    },
    delivered: async (sourceKey, conversationId) =>
      (await teamsDelivery(db, sourceKey, conversationId)) !== undefined,
    recordDelivery: (sourceKey, conversationId, activityId) =>
      recordTeamsDelivery(db, { sourceKey, conversationId, activityId, at: clock.now() }),
    async localeOf(principal) {
      const id = employeeId(principal);
      const facts = id === undefined ? undefined : await teamsPersonFacts(db, id);
      return negotiateLocale(facts?.locale, "zh-CN");
    },
    async alertNotInstalled(principal) {
      const id = employeeId(principal) ?? principal;
      const facts = await teamsPersonFacts(db, id);
      const now = clock.now();
      const day = dateInTimeZone(now, config.BATON_TIMEZONE);
      const created = await db.transaction((tx) =>
        enqueueNotification(
          tx as unknown as Db,
          {
            kind: "hr.alert",
            recipient: {
              type: "channel",
              purpose: "hr",
              ...(facts?.entityId ? { entityId: facts.entityId } : {}),
            },
            data: { alert: "teams.not_installed", employee: id },
            dedupeKey: `teams.not_installed:${id}:${day}`,
            urgency: "normal",
          },
          now,
        ),
      );
      if (created) services.dispatcher.wake();
    },
  };
}

function sendDeps(services: Deps): TeamsSendDeps {
  return {
    store: teamsSendStore(services),
    connector: () => teamsGatewayOf(services.config),
    log: services.logger,
  };
}

/** Teams allows a bot 7 messages a second per conversation, 60 in 30 s (reference §B4). */
const teamsRate = (rate: SenderEntry["rate"]): SenderEntry["rate"] => ({
  ratePerSecond: Math.min(rate.ratePerSecond, 1),
  burst: Math.min(rate.burst, 7),
});

/** The `person` sender entry with Teams behind `next` when Teams is on (adapters/teams/send.ts). */
export function teamsPersonEntry(services: Deps, next: SenderEntry): SenderEntry {
  if (teamsMode(services.config) === "off") return next;
  return { sender: teamsPersonSender(sendDeps(services), next.sender), rate: teamsRate(next.rate) };
}

/** The `channel` sender entry: bound Teams channels after `next` (the recording fan-out). */
export function teamsChannelEntry(services: Deps, next: SenderEntry): SenderEntry {
  if (teamsMode(services.config) === "off") return next;
  return { sender: teamsChannelSender(sendDeps(services), next.sender), rate: teamsRate(next.rate) };
}
