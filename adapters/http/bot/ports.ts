import type { InboundEvent } from "../../../bots/events.ts";
import type { BotPerson, BotPorts } from "../../../bots/ports.ts";
import { parsePrincipal } from "../../../core/access/principal.ts";
import { translate } from "../../../core/messages/index.ts";
import {
  type ChatPerson,
  chatPeopleByIdentity,
  chatPersonByExternalId,
  chatPersonByIdentity,
  colleaguesOf,
  namesOf,
  searchPeople,
} from "../../../db/bot-directory.ts";
import { bindChannel } from "../../../db/channels.ts";
import type { Db } from "../../../db/client.ts";
import { handoverAccountsOf } from "../../../db/connectors.ts";
import { clearConversation, loadConversation, saveConversation } from "../../../db/conversations.ts";
import { offboardingCommands } from "../../../db/offboarding/index.ts";
import { listCaseViews } from "../../../db/offboarding/repository.ts";
import { offboardingDepsOf } from "../offboarding.ts";
import type { ModuleServices, Services } from "../services.ts";
import { agreementPort } from "./agreements.ts";
import { trainingPort } from "./training.ts";

function botPerson(person: ChatPerson | undefined): BotPerson | undefined {
  if (person?.status !== "active") return undefined;
  return {
    principal: `employee:${person.externalId}`,
    externalId: person.externalId,
    name: person.name,
    locale: person.locale === "en" ? "en" : "zh-CN",
    timeZone: person.timeZone,
    probationEndDate: person.probationEndDate,
    functions: person.functions,
    managesPeople: person.managesPeople,
  };
}

const option = (p: { externalId: string; name: string }) => ({
  label: `${p.name} (${p.externalId})`,
  value: `employee:${p.externalId}`,
});

/**
 * The bot's ports over `db`: the database itself when an event is handled inline, or the inbox
 * worker's transaction when an event is recovered (everything then commits with the inbox mark).
 */
export function botPorts(services: ModuleServices, db: Db): BotPorts {
  const database = db === services.database.db ? services.database : { ...services.database, db };
  const offboarding = offboardingCommands(
    offboardingDepsOf({
      database,
      clock: services.clock,
      logger: services.logger,
      chainWriter: services.chainWriter,
      // Read when used: the registry (and tests) set the gates after the bot is built.
      get gates() {
        return (services as Partial<Pick<Services, "gates">>).gates ?? [];
      },
    }),
  );
  const now = () => services.clock.now();
  return {
    now,
    t: translate,

    async identify(surface, who) {
      if (who.principal !== undefined) {
        const parsed = parsePrincipal(who.principal);
        return parsed?.kind === "employee"
          ? botPerson(await chatPersonByExternalId(db, parsed.id))
          : undefined;
      }
      if (surface === "web" || who.userId.length === 0 || who.userId.length > 256) return undefined;
      return botPerson(await chatPersonByIdentity(db, surface, who.userId));
    },

    cases: {
      giveNotice: offboarding.giveNotice,
      completeStep: offboarding.completeStep,
      saveChecklist: offboarding.saveChecklist,
      getCase: offboarding.getCase,
      activeCaseOf: offboarding.activeCaseOf,
      list: (filter) =>
        listCaseViews(db, {
          ...(filter.status === "active" ? { status: "active" } : {}),
          limit: filter.limit,
        }),
      involving: (principal, limit) => listCaseViews(db, { status: "active", involving: principal, limit }),
      async checklistLabels(caseId) {
        const accounts = await handoverAccountsOf(db, caseId);
        return Object.fromEntries(accounts.map((a) => [a.checklistItem, a.name]));
      },
    },

    people: {
      search: async (query, limit) => (await searchPeople(db, query, limit)).map(option),
      colleaguesOf: async (externalId, limit) => (await colleaguesOf(db, externalId, limit)).map(option),
      names: (externalIds) => namesOf(db, externalIds),
    },

    agreements: agreementPort(services, db),
    training: trainingPort(services, db),

    channels: {
      async bind(input) {
        const result = await db.transaction((tx) =>
          bindChannel(tx as unknown as Db, { ...input, at: now() }),
        );
        services.chainWriter.wake();
        services.dispatcher.wake();
        return { created: result.created };
      },
    },

    conversations: {
      load: (key) => loadConversation(db, key, now()),
      async save(key, state, ttlSeconds) {
        const at = now();
        await saveConversation(db, key, state, {
          now: at,
          expiresAt: new Date(at.getTime() + ttlSeconds * 1000),
        });
      },
      clear: (key) => clearConversation(db, key),
    },
  };
}

/** Platform user ids the bot looks up by stored identity (not the web's principals). */
const byIdentity = (surface: string, who: InboundEvent["who"]) =>
  who.principal === undefined && surface !== "web" && who.userId.length > 0 && who.userId.length <= 256;

/**
 * The ports for a batch of events handled together: the people of all of them are looked up at
 * once (two queries per surface, not two per event) and `identify` answers from that; everything
 * else is {@link botPorts}.
 */
export async function batchBotPorts(
  services: ModuleServices,
  db: Db,
  events: readonly InboundEvent[],
): Promise<BotPorts> {
  const ports = botPorts(services, db);
  const wanted = new Map<string, string[]>();
  for (const { surface, who } of events) {
    if (byIdentity(surface, who)) wanted.set(surface, [...(wanted.get(surface) ?? []), who.userId]);
  }
  const known = new Map<string, BotPerson | undefined>();
  for (const [surface, userIds] of wanted) {
    const people = await chatPeopleByIdentity(db, surface, userIds);
    for (const userId of userIds) known.set(`${surface}\u0000${userId}`, botPerson(people.get(userId)));
  }
  return {
    ...ports,
    identify(surface, who) {
      const key = `${surface}\u0000${who.userId}`;
      if (byIdentity(surface, who) && known.has(key)) return Promise.resolve(known.get(key));
      return ports.identify(surface, who);
    },
  };
}
