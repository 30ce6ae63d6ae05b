/**
 * Neutral cards → Block Kit (shared/reference/slack-teams.md §A4). Texts come from the card (no new
 * catalogue keys); every text is fitted to Slack's limits, and the result is checked by limits.ts —
 * what cannot be fitted by cutting text (too many blocks) throws, as that is a template bug.
 *
 * User text is never markup: plain text nodes become `plain_text`, and every `mrkdwn` text is
 * escaped (`&`, `<`, `>`) with `verbatim: true`, so nothing a person typed can ping (`<!here>`,
 * `<@U…>`) or link (`<https://…|…>`, auto-linked URLs and #channels).
 */

import { fallbackText } from "../../cards/fallback-text.ts";
import type {
  ActionsNode,
  ButtonNode,
  CardNode,
  ChoiceInputNode,
  Confirmation,
  DateInputNode,
  InputNode,
  LinkButtonNode,
  Option,
  PersonInputNode,
  SubmitNode,
  TextInputNode,
  Tone,
} from "../../cards/model.ts";
import { type Inline, parseMarkdown, safeUrl, truncate } from "../shared/markdown.ts";
import {
  encodeButton,
  encodeInput,
  encodeLink,
  encodeModalMetadata,
  isValidInputId,
  type ModalMetadata,
} from "./codec.ts";
import { checkMessage, checkModal, checkSuggestions, slackLimits } from "./limits.ts";

export type SlackText =
  | { type: "plain_text"; text: string; emoji?: boolean }
  | { type: "mrkdwn"; text: string; verbatim?: boolean };
export type SlackOption = { text: { type: "plain_text"; text: string; emoji?: boolean }; value: string };
export type SlackElement = Record<string, unknown> & { type: string };
export type SlackBlock = Record<string, unknown> & { type: string };
export type SlackMessage = { text: string; blocks: SlackBlock[] };
export type SlackModal = {
  type: "modal";
  callback_id: string;
  title: SlackText;
  submit?: SlackText;
  private_metadata: string;
  blocks: SlackBlock[];
};

/** Escapes text for mrkdwn: `&`, `<` and `>` are Slack's control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Escapes `text` and cuts it so the *escaped* text fits `max` (never inside an entity). */
export function escapeAndFit(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = "";
  for (const ch of text) {
    const piece = escapeMrkdwn(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

const plain = (text: string, max: number): SlackText => ({
  type: "plain_text",
  text: truncate(text, max),
  emoji: true,
});
const mrkdwn = (text: string): SlackText => ({ type: "mrkdwn", text, verbatim: true });

const toneEmoji: Record<Tone, string> = {
  info: "",
  success: ":white_check_mark: ",
  warning: ":warning: ",
  danger: ":no_entry: ",
};

/** A link in mrkdwn; only http(s)/mailto addresses become links, others show their label. */
function mrkdwnLink(label: string, url: string): string {
  const safe = safeUrl(url);
  const text = escapeMrkdwn(label || url).replaceAll("|", "¦");
  if (!safe) return text;
  const target = escapeMrkdwn(safe.replaceAll("<", "%3C").replaceAll(">", "%3E").replaceAll("|", "%7C"));
  return `<${target}|${text}>`;
}

/** Wraps text in a mrkdwn marker, keeping edge spaces outside (Slack ignores `* bold*`). */
function mark(marker: string, text: string): string {
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  const inner = match[2] ?? "";
  if (inner === "") return text;
  return `${match[1]}${marker}${escapeMrkdwn(inner)}${marker}${match[3]}`;
}

function inlineToMrkdwn(inline: Inline, forceBold: boolean): string {
  switch (inline.kind) {
    case "text":
      return forceBold ? mark("*", inline.text) : escapeMrkdwn(inline.text);
    case "bold":
      return mark("*", inline.text);
    case "italic":
      return mark("_", inline.text);
    case "code":
      return `\`${escapeMrkdwn(inline.text)}\``;
    case "link":
      return mrkdwnLink(inline.text, inline.url);
  }
}

/** Light Markdown → mrkdwn lines. */
export function markdownToMrkdwn(text: string): string[] {
  return parseMarkdown(text).map((line) => {
    if (line.kind === "blank") return "";
    const body = line.inlines.map((inline) => inlineToMrkdwn(inline, line.kind === "heading")).join("");
    if (line.kind === "bullet") return `• ${body}`;
    if (line.kind === "ordered") return `${line.number}. ${body}`;
    return body;
  });
}

/** Splits lines into chunks of at most `max` characters, cutting over-long lines where it is safe. */
function chunkLines(lines: string[], max: number, escaped: boolean): string[] {
  const chunks: string[] = [];
  let current = "";
  const push = () => {
    if (current.trim() !== "") chunks.push(current);
    current = "";
  };
  for (let line of lines) {
    while (line.length > max) {
      let cut = max;
      if (escaped) {
        // Never cut inside an entity (`&amp;`) or a link (`<…|…>`).
        const open = Math.max(line.lastIndexOf("&", cut), line.lastIndexOf("<", cut));
        const closeEntity = line.indexOf(";", open);
        const closeLink = line.indexOf(">", open);
        if (open > 0 && (line[open] === "&" ? closeEntity >= cut : closeLink >= cut)) cut = open;
      }
      const code = line.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      push();
      chunks.push(line.slice(0, cut));
      line = line.slice(cut);
    }
    const joined = current === "" ? line : `${current}\n${line}`;
    if (joined.length > max) {
      push();
      current = line;
    } else current = joined;
  }
  push();
  return chunks;
}

function confirmObject(confirm: Confirmation, danger: boolean): Record<string, unknown> {
  return {
    title: plain(confirm.title, slackLimits.confirmTitle),
    text: plain(confirm.text, slackLimits.confirmText),
    confirm: plain(confirm.confirm, slackLimits.confirmButton),
    deny: plain(confirm.deny, slackLimits.confirmButton),
    style: danger ? "danger" : "primary",
  };
}

function option(o: Option): SlackOption {
  if (o.value.length > slackLimits.optionValue)
    throw new RangeError(`option value "${o.value}" is longer than ${slackLimits.optionValue} characters`);
  return { text: plain(o.label, slackLimits.optionText) as SlackOption["text"], value: o.value };
}

/** State shared while rendering one message or view. */
class Renderer {
  private buttons = 0;

  constructor(private readonly surface: "message" | "modal") {}

  button(node: ButtonNode | SubmitNode): SlackElement {
    return {
      type: "button",
      action_id: encodeButton(this.buttons++, node.action),
      text: plain(node.label, slackLimits.buttonText),
      ...(node.value !== undefined ? { value: node.value } : {}),
      ...(node.style !== "default" ? { style: node.style } : {}),
      ...(node.confirm ? { confirm: confirmObject(node.confirm, node.style === "danger") } : {}),
    };
  }

  link(node: LinkButtonNode): SlackElement {
    return {
      type: "button",
      action_id: encodeLink(this.buttons++),
      text: plain(node.label, slackLimits.buttonText),
      url: safeUrl(node.url) ?? node.url,
    };
  }

  actions(elements: SlackElement[]): SlackBlock[] {
    const blocks: SlackBlock[] = [];
    for (let i = 0; i < elements.length; i += slackLimits.actionsElements)
      blocks.push({ type: "actions", elements: elements.slice(i, i + slackLimits.actionsElements) });
    return blocks;
  }

  actionsNode(node: ActionsNode): SlackBlock[] {
    return this.actions(node.elements.map((e) => (e.type === "link-button" ? this.link(e) : this.button(e))));
  }

  input(node: InputNode, revision: string | undefined): SlackBlock[] {
    if (!isValidInputId(node.id))
      throw new RangeError(`input id "${node.id}" must match [A-Za-z0-9_.-]{1,100}`);
    const element = this.inputElement(node);
    if (!element) {
      // Nothing to choose from and no search: show the label only, the bot asks again if needed.
      return [{ type: "context", elements: [plain(node.label, slackLimits.contextText)] }];
    }
    return [
      {
        type: "input",
        block_id: revision === undefined ? `in:${node.id}` : `in:${node.id}:${revision}`,
        label: plain(node.label, slackLimits.inputLabel),
        optional: !node.required,
        ...(this.surface === "message" ? { dispatch_action: false } : {}),
        element,
      },
    ];
  }

  private inputElement(node: InputNode): SlackElement | undefined {
    switch (node.type) {
      case "text-input":
        return this.textInput(node);
      case "date-input":
        return this.dateInput(node);
      case "choice-input":
        return this.choiceInput(node);
      case "person-input":
        return this.personInput(node);
    }
  }

  private textInput(node: TextInputNode): SlackElement {
    return {
      type: "plain_text_input",
      action_id: encodeInput(node.id),
      multiline: node.multiline,
      ...(node.placeholder ? { placeholder: plain(node.placeholder, slackLimits.placeholder) } : {}),
      ...(node.initial ? { initial_value: truncate(node.initial, slackLimits.textInputValue) } : {}),
    };
  }

  private dateInput(node: DateInputNode): SlackElement {
    // Slack's datepicker has no minimum date: the bot checks `min` when the form arrives.
    return {
      type: "datepicker",
      action_id: encodeInput(node.id),
      ...(node.initial ? { initial_date: node.initial } : {}),
    };
  }

  private choiceInput(node: ChoiceInputNode): SlackElement | undefined {
    if (node.options.length === 0) return undefined;
    const options = node.options.map(option);
    const initial = options.filter((o) => node.initial?.includes(o.value));
    const few = options.length <= slackLimits.radioOptions;
    if (node.multiple) {
      return {
        type: few ? "checkboxes" : "multi_static_select",
        action_id: encodeInput(node.id),
        options: options.slice(0, slackLimits.selectOptions),
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      };
    }
    return {
      type: few ? "radio_buttons" : "static_select",
      action_id: encodeInput(node.id),
      options: options.slice(0, slackLimits.selectOptions),
      ...(initial[0] ? { initial_option: initial[0] } : {}),
    };
  }

  private personInput(node: PersonInputNode): SlackElement | undefined {
    if (node.search.mode === "remote") {
      // The first list cannot be shown by an external_select: it appears once the user types
      // (the bot answers the block_suggestion with matches).
      return {
        type: node.multiple ? "multi_external_select" : "external_select",
        action_id: encodeInput(node.id, node.search.action),
        min_query_length: 1,
      };
    }
    if (node.options.length === 0) return undefined;
    const options = node.options.map(option).slice(0, slackLimits.selectOptions);
    return {
      type: node.multiple ? "multi_static_select" : "static_select",
      action_id: encodeInput(node.id),
      options,
    };
  }

  /** The card's blocks; in a modal, `skipSubmit` is the submit that became the view's button. */
  blocks(card: CardNode, options: { revision?: string; skipSubmit?: SubmitNode }): SlackBlock[] {
    const blocks: SlackBlock[] = [];
    for (const child of card.children) {
      switch (child.type) {
        case "text": {
          const lines = child.markdown ? markdownToMrkdwn(child.text) : child.text.split(/\r?\n/);
          for (const chunk of chunkLines(lines, slackLimits.sectionText, child.markdown))
            blocks.push({
              type: "section",
              text: child.markdown ? mrkdwn(chunk) : { type: "plain_text", text: chunk, emoji: true },
            });
          break;
        }
        case "fields": {
          const fields = child.fields.map((f) => {
            const label = `*${escapeAndFit(f.label, 200)}*\n`;
            return mrkdwn(label + escapeAndFit(f.value, slackLimits.fieldText - label.length));
          });
          for (let i = 0; i < fields.length; i += slackLimits.sectionFields)
            blocks.push({ type: "section", fields: fields.slice(i, i + slackLimits.sectionFields) });
          break;
        }
        case "divider":
          blocks.push({ type: "divider" });
          break;
        case "actions":
          if (child.elements.length > 0) blocks.push(...this.actionsNode(child));
          break;
        case "text-input":
        case "choice-input":
        case "date-input":
        case "person-input":
          blocks.push(...this.input(child, options.revision));
          break;
        case "submit":
          if (child === options.skipSubmit) {
            if (child.confirm)
              blocks.push({
                type: "context",
                elements: [plain(`${child.confirm.title} ${child.confirm.text}`, slackLimits.contextText)],
              });
          } else blocks.push(...this.actions([this.button(child)]));
          break;
      }
    }
    return blocks;
  }
}

function headerBlocks(card: CardNode, withTitle: boolean): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  if (withTitle)
    blocks.push({
      type: "header",
      text: plain(toneEmoji[card.header.tone] + card.header.title, slackLimits.headerText),
    });
  if (card.header.subtitle)
    blocks.push({ type: "context", elements: [plain(card.header.subtitle, slackLimits.contextText)] });
  return blocks;
}

function assertFits(problems: string[], what: string): void {
  if (problems.length > 0) throw new RangeError(`${what} breaks Block Kit limits: ${problems.join("; ")}`);
}

/** The fallback `text` of a message: the card as plain text, escaped for mrkdwn. */
export function messageText(card: CardNode): string {
  return escapeAndFit(fallbackText(card), slackLimits.messageText);
}

export type RenderMessageOptions = {
  /**
   * Appended to input block ids. Slack keeps what a user typed per block id, so a message that is
   * updated in place with fresh initial values needs a new revision.
   */
  revision?: string;
};

/** A card as a Slack message (`chat.postMessage` / `chat.update` / a response_url body). */
export function renderMessage(card: CardNode, options: RenderMessageOptions = {}): SlackMessage {
  const blocks = [...headerBlocks(card, true), ...new Renderer("message").blocks(card, options)];
  const message = { text: messageText(card), blocks };
  assertFits(checkMessage(message), `card "${card.header.title}"`);
  return message;
}

export type RenderModalOptions = Omit<ModalMetadata, "action" | "value">;

/**
 * A card as a modal view (`views.open` with the interaction's trigger_id). The card's first submit
 * becomes the modal's submit button (its action and value travel in `private_metadata`, with the
 * chat it was opened from); a confirmation, which Slack's modal submit cannot ask, is shown above it.
 */
export function renderModal(
  card: CardNode,
  callbackId: string,
  options: RenderModalOptions = {},
): SlackModal {
  const submit = card.children.find((c): c is SubmitNode => c.type === "submit");
  const hasInputs = card.children.some((c) =>
    ["text-input", "choice-input", "date-input", "person-input"].includes(c.type),
  );
  if (hasInputs && !submit) throw new RangeError(`card "${card.header.title}" has inputs but no submit`);
  const title = card.header.title;
  const titleFits = title.length <= slackLimits.modalTitle;
  const blocks = [
    ...headerBlocks(card, !titleFits),
    ...new Renderer("modal").blocks(card, submit ? { skipSubmit: submit } : {}),
  ];
  const metadata: ModalMetadata = {
    action: submit?.action ?? "modal.closed",
    ...(submit?.value !== undefined ? { value: submit.value } : {}),
    ...options,
  };
  const view: SlackModal = {
    type: "modal",
    callback_id: callbackId,
    title: plain(title, slackLimits.modalTitle),
    ...(submit ? { submit: plain(submit.label, slackLimits.modalButton) } : {}),
    private_metadata: encodeModalMetadata(metadata),
    blocks,
  };
  assertFits(checkModal(view), `modal of card "${title}"`);
  return view;
}

/** The answer to a `block_suggestion` (external_select): at most 100 options. */
export function renderSuggestions(options: Option[]): { options: SlackOption[] } {
  const answer = {
    options: options
      .filter((o) => o.value.length <= slackLimits.optionValue)
      .slice(0, slackLimits.suggestionOptions)
      .map(option),
  };
  assertFits(checkSuggestions(answer), "suggestions");
  return answer;
}

/**
 * The answer to a `view_submission` that shows problems next to the inputs (keys are the neutral
 * input ids; the texts come from the bot, already in the viewer's language).
 */
export function renderViewErrors(errors: Record<string, string>): {
  response_action: "errors";
  errors: Record<string, string>;
} {
  return {
    response_action: "errors",
    errors: Object.fromEntries(Object.entries(errors).map(([id, text]) => [`in:${id}`, truncate(text, 150)])),
  };
}
