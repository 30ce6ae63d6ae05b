import { parsePrincipal } from "../access/principal.ts";

/** The chat platforms a group channel can live on. */
export const channelPlatforms = ["slack", "lark", "dingtalk", "teams", "web"] as const;
export type ChannelPlatform = (typeof channelPlatforms)[number];

/** What a bound group channel is for. */
export const channelPurposes = ["hr", "finance"] as const;
export type ChannelPurpose = (typeof channelPurposes)[number];

/**
 * A platform's id of a group chat: Slack `C0123ABC`, Lark `oc_…`, DingTalk `cid…=`, Teams
 * `19:…@thread.tacv2`. Printable ASCII without spaces; the platform decides the rest.
 */
export const channelIdPattern = /^[\x21-\x7e]{1,256}$/;

/**
 * HR binds group channels (DESIGN §7: an HR person says `bind hr` in the group, or through the
 * API). A system acting through an API key with the scope may too; any other person may not.
 */
export function mayBindChannels(actor: { principal: string; functions: readonly string[] }): boolean {
  const parsed = parsePrincipal(actor.principal);
  if (!parsed) return false;
  if (parsed.kind === "system") return true;
  return actor.functions.includes("hr");
}
