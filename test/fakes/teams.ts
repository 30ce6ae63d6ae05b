/**
 * Microsoft Teams as a tester needs it: Bot Framework activities with the real shapes
 * (shared/reference/slack-teams.md §B1–B3), what Teams sends when a person fills in and clicks a
 * card that render.ts produced, and the `adaptivecards` package's own parser as a validator.
 */

import { createRequire } from "node:module";
import type { AdaptiveCard } from "../../adapters/teams/render.ts";

type Json = Record<string, unknown>;
type Values = Readonly<Record<string, string | readonly string[]>>;

export const botId = "28:1f2e3d4c-0000-4000-8000-00000000b0a7";
export const tenantId = "72f988bf-0000-4000-8000-000000000001";
export const userId = "29:1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-LiLei";
export const aadObjectId = "6a1b2c3d-0000-4000-8000-00000000e101";

/** A message activity in a 1:1 chat, with any field overridden. */
export function activity(overrides: Json = {}): Json {
  return {
    type: "message",
    id: "1772410500123",
    timestamp: "2026-03-02T01:15:00.123Z",
    localTimestamp: "2026-03-02T09:15:00.123+08:00",
    localTimezone: "Asia/Shanghai",
    serviceUrl: "https://smba.trafficmanager.net/apac/",
    channelId: "msteams",
    from: { id: userId, name: "Li Lei", aadObjectId },
    conversation: {
      conversationType: "personal",
      tenantId,
      id: "a:1Xyz-personal-chat-with-li-lei",
    },
    recipient: { id: botId, name: "Baton" },
    textFormat: "plain",
    locale: "zh-CN",
    text: "我要离职",
    entities: [
      { type: "clientInfo", locale: "zh-CN", country: "CN", platform: "Windows", timezone: "Asia/Shanghai" },
    ],
    channelData: { tenant: { id: tenantId } },
    ...overrides,
  };
}

/** Every `Action.Execute` of a card, including those inside `Action.ShowCard` cards. */
export function executeActions(card: Json): Json[] {
  const found: Json[] = [];
  const visitAction = (action: Json) => {
    if (action.type === "Action.Execute") found.push(action);
    if (action.type === "Action.ShowCard") visitCard(action.card as Json);
  };
  const visitElements = (elements: unknown) => {
    for (const element of (elements as Json[] | undefined) ?? []) {
      if (element.type === "ActionSet") for (const a of element.actions as Json[]) visitAction(a);
      for (const key of ["items", "columns"]) if (Array.isArray(element[key])) visitElements(element[key]);
    }
  };
  const visitCard = (c: Json) => {
    visitElements(c.body);
    for (const a of (c.actions as Json[] | undefined) ?? []) visitAction(a);
  };
  visitCard(card);
  return found;
}

/** Input values as Teams sends them: strings, multi-selects comma-separated. */
export function teamsInputValues(values: Values): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([id, v]) => [id, typeof v === "string" ? v : v.join(",")]),
  );
}

/** The `adaptiveCard/action` invoke Teams sends for a click on `action` with the inputs filled. */
export function executeInvoke(action: Json, values: Values, overrides: Json = {}): Json {
  return activity({
    type: "invoke",
    id: "f:invoke-1772410501",
    name: "adaptiveCard/action",
    text: undefined,
    replyToId: "1772410400000",
    value: {
      action: {
        type: "Action.Execute",
        title: action.title,
        verb: action.verb,
        data: { ...(action.data as Json), ...teamsInputValues(values) },
      },
      trigger: "manual",
    },
    ...overrides,
  });
}

/** The message activity an `Action.Submit` (the fallback on older clients) sends. */
export function submitMessage(action: Json, values: Values): Json {
  const fallback = action.fallback as Json;
  return activity({
    id: "1772410502000",
    text: undefined,
    replyToId: "1772410400000",
    value: { ...(fallback.data as Json), ...teamsInputValues(values) },
  });
}

type AdaptiveCardsModule = {
  AdaptiveCard: new () => {
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: { event: number; message: string }[] };
  };
  SerializationContext: new () => {
    targetVersion: unknown;
    eventCount: number;
    getEventAt(i: number): { event: number; message: string };
  };
  Versions: Record<string, unknown>;
  ValidationEvent: Record<number, string>;
};

// The ESM build in lib/ cannot be loaded by Node (extension-less imports); the UMD bundle can.
const ac = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js") as AdaptiveCardsModule;

/**
 * Teams reads `choices.data` (dynamic typeahead) on 1.5 cards; the library knows it only from 1.6.
 * This is the one report the validator lets through.
 */
const teamsExtensions = [
  /^Property "choices\.data" is supported in version 1\.6, but you are using version 1\.5\.$/,
];

/** Every parse and validation report of the `adaptivecards` package (target 1.5) for a card. */
export function validateAdaptiveCard(card: AdaptiveCard | Json): string[] {
  const parsed = new ac.AdaptiveCard();
  const context = new ac.SerializationContext();
  context.targetVersion = ac.Versions.v1_5;
  parsed.parse(card, context);
  const reports: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    reports.push(`${ac.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of parsed.validateProperties().validationEvents)
    reports.push(`${ac.ValidationEvent[e.event]}: ${e.message}`);
  return reports.filter((r) => !teamsExtensions.some((x) => x.test(r.replace(/^\w+: /, ""))));
}
