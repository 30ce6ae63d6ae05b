import { Card, type CardNode, Text, type Tone } from "../../cards/model.ts";
import { type MessageKey, translate, translateBoth } from "../../core/messages/index.ts";

/** Whether Baton serves a chat event; when not, whether it came from our own workspace/tenant/corp. */
export type Admission = { ok: true } | { ok: false; ours: boolean };

/**
 * The allow-list check every chat surface makes (`SLACK_TEAM_IDS`, `LARK_TENANT_KEYS`,
 * `DINGTALK_CORP_IDS`, required for the surface to be on): the workspace the event was delivered
 * for and the person's own must be allowed, and the person (or the place) must not be a guest or
 * an external contact. `ours` tells the caller whether a polite refusal may be shown.
 */
export function admit(
  allowed: readonly string[],
  deliveredFor: string | undefined,
  who: { external?: boolean; tenant?: string },
  externalPlace = false,
): Admission {
  const ours = deliveredFor !== undefined && allowed.includes(deliveredFor);
  if (!ours) return { ok: false, ours: false };
  if (who.external || externalPlace) return { ok: false, ours: true };
  if (who.tenant !== undefined && !allowed.includes(who.tenant)) return { ok: false, ours: true };
  return { ok: true };
}

/** A card in both languages, zh-CN first: for people whose language is not known. */
export function bothLanguagesCard(keys: { title: MessageKey; body: MessageKey }, tone: Tone): CardNode {
  return Card({ title: translateBoth(keys.title), tone }, [
    Text(translate("zh-CN", keys.body)),
    Text(translate("en", keys.body)),
  ]);
}

/** "Something went wrong", in both languages. */
export const bothLanguagesErrorCard = () =>
  bothLanguagesCard({ title: "bot.error.title", body: "bot.error.internal" }, "warning");

/** The polite refusal for guests and external contacts, in both languages. */
export const bothLanguagesRefusalCard = () =>
  bothLanguagesCard({ title: "bot.external.title", body: "bot.external.body" }, "info");
