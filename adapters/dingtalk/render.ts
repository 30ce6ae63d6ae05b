/**
 * Neutral cards → DingTalk robot messages (shared/reference/lark-dingtalk.md §B6–B8). Texts come
 * from the card (no new catalogue keys).
 *
 * DingTalk robot messages have no inputs and no callbacks we can verify, so every button and every
 * form's submit becomes a link to a signed, expiring web action page that the caller mints
 * (`linkFor(action, value)` → the wiring's `/a/:token`); GET there only shows the page (and the
 * form), POST acts once. A card with such links is an `actionCard` (one button: `singleTitle` /
 * `singleURL`; more: `btns`, vertical), one without is `markdown`. The inputs of a form are listed
 * by label so the person knows what the page will ask. Action links open in DingTalk's desktop
 * sidebar (`dingtalk://dingtalkclient/page/link?url=…&pc_slide=true`) unless `sidebar: false`.
 *
 * User text is never markup: every character DingTalk's Markdown (or the HTML it accepts, like
 * `<font>`) could read is written as an HTML entity, and nothing is ever sent in `at`, so no one
 * is @-mentioned. The message content must fit {@link dingtalkLimits} (the OpenAPI's `msgParam`
 * limit), else rendering throws.
 */

import type { ButtonNode, CardNode, InputNode, LinkButtonNode, SubmitNode, Tone } from "../../cards/model.ts";
import {
  escapeMarkdownLineStart,
  type Inline,
  markdownEntities,
  markdownLink,
  parseMarkdown,
  safeUrl,
} from "../shared/markdown.ts";

export const dingtalkLimits = {
  /** `msgParam` of `groupMessages/send` (and, to be safe, every message content), UTF-8 bytes. */
  contentBytes: 15000,
  /** The OpenAPI's action-card templates: `sampleActionCard` … `sampleActionCard5`. */
  openApiButtons: 5,
} as const;

/** The signed web page for a neutral action (and value) — minted by the caller. */
export type LinkFor = (action: string, value: string | undefined) => string;

export type DingTalkRenderOptions = {
  /** Required when the card has buttons or a form. */
  linkFor?: LinkFor;
  /** Open action links in the desktop sidebar (default true). */
  sidebar?: boolean;
};

export type DingTalkButton = { title: string; actionURL: string };
export type DingTalkMarkdownMessage = { msgtype: "markdown"; markdown: { title: string; text: string } };
export type DingTalkActionCardMessage = {
  msgtype: "actionCard";
  actionCard:
    | { title: string; text: string; singleTitle: string; singleURL: string }
    | { title: string; text: string; btnOrientation: "0" | "1"; btns: DingTalkButton[] };
};
export type DingTalkMessage = DingTalkMarkdownMessage | DingTalkActionCardMessage;

const toneMark: Record<Tone, string> = { info: "", success: "✅ ", warning: "⚠️ ", danger: "⛔ " };

/**
 * Escapes text for DingTalk Markdown: special characters become HTML entities, a line start cannot
 * open a heading, quote, list, rule or code block, `://` cannot become a bare link, and a line
 * break is a hard break (`"  \n"`). `atLineStart` says whether the text starts a line.
 */
export function escapeDingTalkMarkdown(text: string, atLineStart = true): string {
  return text
    .split(/\r?\n/)
    .map((line, index) => {
      const out = line
        .replace(/[&<>*_~`[\]\\|]/g, (c) => markdownEntities[c] ?? c)
        .replaceAll("://", "&#58;//");
      return index > 0 || atLineStart ? escapeMarkdownLineStart(out) : out;
    })
    .join("  \n");
}

/** Wraps text in a marker, keeping edge spaces outside. */
function mark(marker: string, text: string): string {
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  const inner = match[2] ?? "";
  if (inner === "") return text;
  return `${match[1]}${marker}${escapeDingTalkMarkdown(inner, false)}${marker}${match[3]}`;
}

function inline(run: Inline, bold: boolean, atLineStart: boolean): string {
  switch (run.kind) {
    case "text":
      return bold ? mark("**", run.text) : escapeDingTalkMarkdown(run.text, atLineStart);
    case "bold":
      return mark("**", run.text);
    case "italic":
      return mark("*", run.text);
    case "code":
      return escapeDingTalkMarkdown(run.text, atLineStart);
    case "link": {
      const url = safeUrl(run.url);
      const label = escapeDingTalkMarkdown(run.text || run.url, false);
      if (!url) return label;
      return markdownLink(label, url);
    }
  }
}

/** The card's light Markdown → DingTalk Markdown (headings as bold lines, hard line breaks). */
export function markdownToDingTalk(text: string): string {
  const paragraphs: string[][] = [[]];
  for (const line of parseMarkdown(text)) {
    if (line.kind === "blank") {
      if (paragraphs[paragraphs.length - 1]!.length > 0) paragraphs.push([]);
      continue;
    }
    const prefix = line.kind === "bullet" ? "- " : line.kind === "ordered" ? `${line.number}. ` : "";
    const body = line.inlines
      .map((run, i) => inline(run, line.kind === "heading", i === 0 && prefix === ""))
      .join("");
    paragraphs[paragraphs.length - 1]!.push(prefix + body);
  }
  return paragraphs
    .filter((p) => p.length > 0)
    .map((p) => p.join("  \n"))
    .join("\n\n");
}

function actionUrl(url: string, sidebar: boolean): string {
  const safe = safeUrl(url);
  if (!safe || safe.startsWith("mailto:")) throw new RangeError(`linkFor gave "${url}", not an http(s) URL`);
  return sidebar ? `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(safe)}&pc_slide=true` : safe;
}

function inputLine(node: InputNode): string {
  return `- ${escapeDingTalkMarkdown(node.label, false)}`;
}

/** The card's text (Markdown) and its buttons, in order. */
function compose(
  card: CardNode,
  options: DingTalkRenderOptions,
): { text: string; buttons: DingTalkButton[] } {
  const sidebar = options.sidebar ?? true;
  const buttons: DingTalkButton[] = [];
  const link = (node: ButtonNode | SubmitNode) => {
    if (!options.linkFor)
      throw new RangeError(
        `card "${card.header.title}" has buttons: DingTalk needs linkFor to make their pages`,
      );
    buttons.push({
      title: node.label,
      actionURL: actionUrl(options.linkFor(node.action, node.value), sidebar),
    });
  };
  const open = (node: LinkButtonNode) => {
    const url = safeUrl(node.url);
    if (!url || url.startsWith("mailto:"))
      throw new RangeError(`link button "${node.label}" needs an http(s) URL`);
    buttons.push({ title: node.label, actionURL: url });
  };
  const blocks: string[] = [
    `### ${toneMark[card.header.tone]}${escapeDingTalkMarkdown(card.header.title, false)}`,
  ];
  if (card.header.subtitle) blocks.push(escapeDingTalkMarkdown(card.header.subtitle));
  let inputs: string[] = [];
  const flushInputs = () => {
    if (inputs.length > 0) blocks.push(inputs.join("  \n"));
    inputs = [];
  };
  for (const child of card.children) {
    if (
      child.type !== "text-input" &&
      child.type !== "date-input" &&
      child.type !== "choice-input" &&
      child.type !== "person-input"
    )
      flushInputs();
    switch (child.type) {
      case "text":
        if (child.text.trim() !== "")
          blocks.push(child.markdown ? markdownToDingTalk(child.text) : escapeDingTalkMarkdown(child.text));
        break;
      case "fields":
        if (child.fields.length > 0)
          blocks.push(
            child.fields
              .map(
                (f) =>
                  `**${escapeDingTalkMarkdown(f.label, false)}**: ${escapeDingTalkMarkdown(f.value, false)}`,
              )
              .join("  \n"),
          );
        break;
      case "divider":
        blocks.push("———");
        break;
      case "actions":
        for (const element of child.elements) {
          if (element.type === "link-button") open(element);
          else link(element);
        }
        break;
      case "submit":
        link(child);
        break;
      default:
        inputs.push(inputLine(child));
    }
  }
  flushInputs();
  return { text: blocks.filter((b) => b.trim() !== "").join("\n\n"), buttons };
}

function contentBytes(content: unknown): number {
  return new TextEncoder().encode(JSON.stringify(content)).length;
}

function assertFits(content: unknown, what: string): void {
  const bytes = contentBytes(content);
  if (bytes > dingtalkLimits.contentBytes)
    throw new RangeError(
      `${what} is ${bytes} bytes as a DingTalk message (max ${dingtalkLimits.contentBytes})`,
    );
}

/**
 * A card as a robot message body: what `sessionWebhook` takes, and the custom robot webhook too.
 * The title (the notification preview) is the card's title as plain text.
 */
export function renderDingTalkMessage(card: CardNode, options: DingTalkRenderOptions = {}): DingTalkMessage {
  const { text, buttons } = compose(card, options);
  const title = card.header.title;
  const message: DingTalkMessage =
    buttons.length === 0
      ? { msgtype: "markdown", markdown: { title, text } }
      : buttons.length === 1
        ? {
            msgtype: "actionCard",
            actionCard: { title, text, singleTitle: buttons[0]!.title, singleURL: buttons[0]!.actionURL },
          }
        : { msgtype: "actionCard", actionCard: { title, text, btnOrientation: "0", btns: buttons } };
  assertFits(message.msgtype === "markdown" ? message.markdown : message.actionCard, `card "${title}"`);
  return message;
}

/**
 * The legacy custom group robot's body (alerts to a group; send it to
 * `signedRobotWebhookUrl` in verify.ts). A robot secured by a keyword only accepts
 * messages that contain it: pass `keyword` and it is added when the card does not say it.
 */
export function renderCustomRobotMessage(
  card: CardNode,
  options: DingTalkRenderOptions & { keyword?: string } = {},
): DingTalkMessage {
  const message = renderDingTalkMessage(card, options);
  const keyword = options.keyword;
  if (!keyword) return message;
  const content = message.msgtype === "markdown" ? message.markdown : message.actionCard;
  if (content.text.includes(keyword) || content.title.includes(keyword)) return message;
  content.text = `${content.text}\n\n${escapeDingTalkMarkdown(keyword)}`;
  assertFits(content, `card "${card.header.title}"`);
  return message;
}

/**
 * The same message for the app robot OpenAPI (`oToMessages/batchSend`, `groupMessages/send`):
 * `msgKey` and the `msgParam` JSON string (templates per
 * https://open.dingtalk.com/document/development/robot-message-type).
 */
export function toRobotOpenApiMessage(message: DingTalkMessage): { msgKey: string; msgParam: string } {
  let msgKey: string;
  let param: Record<string, string>;
  if (message.msgtype === "markdown") {
    msgKey = "sampleMarkdown";
    param = { title: message.markdown.title, text: message.markdown.text };
  } else if ("singleURL" in message.actionCard) {
    msgKey = "sampleActionCard";
    const { title, text, singleTitle, singleURL } = message.actionCard;
    param = { title, text, singleTitle, singleURL };
  } else {
    const { title, text, btns } = message.actionCard;
    if (btns.length > dingtalkLimits.openApiButtons)
      throw new RangeError(
        `${btns.length} buttons: the OpenAPI templates carry at most ${dingtalkLimits.openApiButtons}`,
      );
    msgKey = `sampleActionCard${btns.length}`;
    param = { title, text };
    btns.forEach((b, i) => {
      param[`actionTitle${i + 1}`] = b.title;
      param[`actionURL${i + 1}`] = b.actionURL;
    });
  }
  const msgParam = JSON.stringify(param);
  if (new TextEncoder().encode(msgParam).length > dingtalkLimits.contentBytes)
    throw new RangeError(`msgParam over ${dingtalkLimits.contentBytes} bytes`);
  return { msgKey, msgParam };
}
