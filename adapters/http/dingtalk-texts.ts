import { type Locale, translate } from "../../core/messages/index.ts";
import type { dingtalkEn } from "../../core/messages/parts/dingtalk.ts";

/** A text of the DingTalk pages and messages, without its `dingtalk.` catalogue prefix. */
export type DingTalkTextKey = keyof typeof dingtalkEn extends `dingtalk.${infer K}` ? K : never;

/** The DingTalk text `key` (core/messages/parts/dingtalk.ts) in `locale`, placeholders filled. */
export function dingtalkText(
  locale: Locale,
  key: DingTalkTextKey,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return translate(locale, `dingtalk.${key}`, params);
}
