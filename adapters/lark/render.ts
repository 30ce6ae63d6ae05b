/**
 * Neutral cards → Lark/Feishu card JSON 2.0 (shared/reference/lark-dingtalk.md §A3–A4). Texts come
 * from the card (no new catalogue keys); limits.ts checks every card (30 KB, names, forms) and a
 * card that cannot fit throws, as that is a template bug.
 *
 * User text is never read as Lark Markdown or a mention: headers, plain text, labels, options and
 * buttons are `plain_text`; the card's own light Markdown becomes a `markdown` component in which
 * every character Lark's Markdown or HTML could read (`<at id=…>`, `*`, `[`, `:` of `https:` and
 * `:emoji:` …) is written as an HTML entity, which Lark's rich text shows as the character.
 *
 * - Buttons carry `behaviors: [{ type: "callback", value: { baton: … } }]` (codec.ts), link buttons
 *   `open_url`; a row of buttons is a `column_set` in flow mode; a confirmation is the button's
 *   `confirm` (Lark shows its own confirm/cancel labels).
 * - Inputs sit in one `form` container (from the first input to the last submit) with the submit
 *   buttons (`form_action_type: "submit"`): text → `input` (`multiline_text` when multiline), date
 *   → `date_picker`, choice → `select_static` / `multi_select_static`, person → the same with the
 *   card's candidates. Lark cards cannot search as the user types, so a person picker shows the
 *   candidates the bot sent (a picker with none shows its label only).
 * - `config.update_multi: true` (a shared card, updatable in place by PATCH or a callback answer);
 *   `config.summary` is the title (what the chat list shows).
 */

import type { ChatType } from "../../bots/conversation.ts";
import type {
  ButtonNode,
  CardNode,
  ChoiceInputNode,
  DateInputNode,
  InputNode,
  LinkButtonNode,
  Option,
  PersonInputNode,
  SubmitNode,
  TextInputNode,
  Tone,
} from "../../cards/model.ts";
import {
  escapeMarkdownLineStart,
  type Inline,
  markdownEntities,
  markdownLink,
  parseMarkdown,
  safeUrl,
  truncate,
} from "../shared/markdown.ts";
import { encodeInputName, encodeValue, formName, submitName } from "./codec.ts";
import { checkLarkCard } from "./limits.ts";

export type PlainText = { tag: "plain_text"; content: string };
export type LarkElement = Record<string, unknown> & { tag: string };
export type LarkCard = {
  schema: "2.0";
  config: { update_multi: true; summary: { content: string } };
  header: { title: PlainText; subtitle?: PlainText; template: string };
  body: { elements: LarkElement[] };
};

export type RenderLarkOptions = {
  /**
   * The kind of chat the card is sent to, stamped into every button so a click can tell (Lark's
   * callback carries only the chat id). Unknown → a click is treated as coming from a group.
   */
  chatType?: ChatType;
};

const toneTemplate: Record<Tone, string> = {
  info: "blue",
  success: "green",
  warning: "orange",
  danger: "red",
};

const plain = (content: string): PlainText => ({ tag: "plain_text", content });

/** Characters Lark's Markdown (or the HTML it accepts) could read, wherever they stand. */
const entities: Record<string, string> = { ...markdownEntities, $: "&#36;" };

/** Positions of the colons Lark could read: of `://` (auto-links) and around `:emoji:` codes. */
function readableColons(line: string): Set<number> {
  const at = new Set<number>();
  for (const m of line.matchAll(/:(?=\/\/)/g)) at.add(m.index);
  for (const m of line.matchAll(/:[A-Za-z][A-Za-z0-9_+-]*:/g)) {
    at.add(m.index);
    at.add(m.index + m[0].length - 1);
  }
  return at;
}

/**
 * Escapes text for a Lark `markdown` / `lark_md` content: every special character becomes an HTML
 * entity, the colons of `://` (auto-links) and of `:emoji:` codes too, and a line start cannot open
 * a heading, list, quote, rule or code block. `atLineStart` says whether the text starts a line.
 */
export function escapeLarkMarkdown(text: string, atLineStart = true): string {
  return text
    .split(/\r?\n/)
    .map((line, index) => {
      const colons = readableColons(line);
      const out = line.replace(/[&<>*_~`[\]\\|$:]/g, (c, i: number) =>
        c === ":" ? (colons.has(i) ? "&#58;" : c) : (entities[c] ?? c),
      );
      return index > 0 || atLineStart ? escapeMarkdownLineStart(out) : out;
    })
    .join("\n");
}

/** Wraps text in a marker, keeping edge spaces outside (`** x**` is not bold). */
function mark(marker: string, text: string, atLineStart: boolean): string {
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  const inner = match[2] ?? "";
  if (inner === "") return text;
  const lead = match[1] ?? "";
  return `${lead}${marker}${escapeLarkMarkdown(inner, false)}${marker}${match[3]}`.replace(/^ +/, (spaces) =>
    atLineStart ? "&nbsp;".repeat(spaces.length) : spaces,
  );
}

function inlineMarkdown(inline: Inline, bold: boolean, atLineStart: boolean): string {
  switch (inline.kind) {
    case "text":
      return bold ? mark("**", inline.text, atLineStart) : escapeLarkMarkdown(inline.text, atLineStart);
    case "bold":
      return mark("**", inline.text, atLineStart);
    case "italic":
      return mark("*", inline.text, atLineStart);
    case "code":
      // Entities are not read inside a code span, and `<at …>` might be: show code as plain text.
      return escapeLarkMarkdown(inline.text, atLineStart);
    case "link": {
      const url = safeUrl(inline.url);
      const label = escapeLarkMarkdown(inline.text || inline.url, false);
      if (!url) return atLineStart ? escapeLarkMarkdown(inline.text || inline.url) : label;
      return markdownLink(label, url);
    }
  }
}

/** The card's light Markdown → Lark Markdown; headings become bold lines. */
export function markdownToLark(text: string): string {
  return parseMarkdown(text)
    .map((line) => {
      if (line.kind === "blank") return "";
      const prefix = line.kind === "bullet" ? "- " : line.kind === "ordered" ? `${line.number}. ` : "";
      const body = line.inlines
        .map((inline, i) => inlineMarkdown(inline, line.kind === "heading", i === 0 && prefix === ""))
        .join("");
      return prefix + body;
    })
    .join("\n");
}

const buttonType = (style: ButtonNode["style"]): string =>
  style === "primary" ? "primary_filled" : style === "danger" ? "danger_filled" : "default";

function options(list: Option[]): { text: PlainText; value: string }[] {
  return list.map((o) => ({ text: plain(o.label), value: o.value }));
}

class Renderer {
  private buttons = 0;
  private submits = 0;
  private forms = 0;

  constructor(private readonly chatType: ChatType | undefined) {}

  private callback(action: string, value: string | undefined): Record<string, unknown>[] {
    return [{ type: "callback", value: encodeValue(action, value, this.chatType) }];
  }

  button(node: ButtonNode): LarkElement {
    return {
      tag: "button",
      name: `baton_button_${this.buttons++}`,
      text: plain(node.label),
      type: buttonType(node.style),
      behaviors: this.callback(node.action, node.value),
      ...(node.confirm
        ? { confirm: { title: plain(node.confirm.title), text: plain(node.confirm.text) } }
        : {}),
    };
  }

  submit(node: SubmitNode): LarkElement {
    return {
      tag: "button",
      name: submitName(this.submits++),
      text: plain(node.label),
      type: buttonType(node.style),
      form_action_type: "submit",
      behaviors: this.callback(node.action, node.value),
      ...(node.confirm
        ? { confirm: { title: plain(node.confirm.title), text: plain(node.confirm.text) } }
        : {}),
    };
  }

  link(node: LinkButtonNode): LarkElement {
    const url = safeUrl(node.url);
    if (!url || url.startsWith("mailto:"))
      throw new RangeError(`link button "${node.label}" needs an http(s) URL`);
    return {
      tag: "button",
      name: `baton_button_${this.buttons++}`,
      text: plain(node.label),
      type: "default",
      behaviors: [{ type: "open_url", default_url: url }],
    };
  }

  row(elements: LarkElement[]): LarkElement {
    return {
      tag: "column_set",
      flex_mode: "flow",
      horizontal_spacing: "8px",
      columns: elements.map((element) => ({ tag: "column", width: "auto", elements: [element] })),
    };
  }

  label(text: string): LarkElement {
    return { tag: "div", text: plain(text) };
  }

  input(node: InputNode): LarkElement[] {
    switch (node.type) {
      case "text-input":
        return [this.textInput(node)];
      case "date-input":
        return [this.label(node.label), this.dateInput(node)];
      case "choice-input":
        return this.choiceInput(node);
      case "person-input":
        return this.personInput(node);
    }
  }

  private textInput(node: TextInputNode): LarkElement {
    return {
      tag: "input",
      name: encodeInputName("t", node.id),
      label: plain(node.label),
      required: node.required,
      width: "fill",
      ...(node.multiline ? { input_type: "multiline_text" } : {}),
      ...(node.placeholder ? { placeholder: plain(node.placeholder) } : {}),
      ...(node.initial ? { default_value: node.initial } : {}),
    };
  }

  private dateInput(node: DateInputNode): LarkElement {
    // Lark's date picker has no minimum date: the bot checks `min` when the form arrives.
    return {
      tag: "date_picker",
      name: encodeInputName("d", node.id),
      required: node.required,
      width: "fill",
      ...(node.initial ? { initial_date: node.initial } : {}),
    };
  }

  private select(
    kind: "c" | "p",
    node: ChoiceInputNode | PersonInputNode,
    initial: readonly string[] | undefined,
  ): LarkElement[] {
    if (node.options.length === 0) return [this.label(node.label)];
    const chosen = (initial ?? []).filter((v) => node.options.some((o) => o.value === v));
    const select: LarkElement = node.multiple
      ? {
          tag: "multi_select_static",
          name: encodeInputName(kind, node.id),
          required: node.required,
          width: "fill",
          options: options(node.options),
          ...(chosen.length > 0 ? { selected_values: chosen } : {}),
        }
      : {
          tag: "select_static",
          name: encodeInputName(kind, node.id),
          required: node.required,
          width: "fill",
          options: options(node.options),
          ...(chosen[0] !== undefined ? { initial_option: chosen[0] } : {}),
        };
    return [this.label(node.label), select];
  }

  private choiceInput(node: ChoiceInputNode): LarkElement[] {
    return this.select("c", node, node.initial);
  }

  private personInput(node: PersonInputNode): LarkElement[] {
    return this.select("p", node, undefined);
  }

  form(elements: LarkElement[]): LarkElement {
    return { tag: "form", name: formName(this.forms++), elements };
  }
}

const isInput = (type: string) => ["text-input", "choice-input", "date-input", "person-input"].includes(type);

function body(card: CardNode, r: Renderer): LarkElement[] {
  const children = card.children;
  const firstInput = children.findIndex((c) => isInput(c.type));
  let formEnd = -1;
  if (firstInput >= 0) {
    children.forEach((c, i) => {
      if (i >= firstInput && (isInput(c.type) || c.type === "submit")) formEnd = i;
    });
    if (!children.slice(firstInput, formEnd + 1).some((c) => c.type === "submit"))
      throw new RangeError(`card "${card.header.title}" has inputs but no submit`);
  }
  const top: LarkElement[] = [];
  const inForm: LarkElement[] = [];
  children.forEach((child, i) => {
    const target = firstInput >= 0 && i >= firstInput && i <= formEnd ? inForm : top;
    switch (child.type) {
      case "text":
        if (child.text.trim() === "") break;
        target.push(
          child.markdown
            ? { tag: "markdown", content: markdownToLark(child.text) }
            : { tag: "div", text: plain(child.text) },
        );
        break;
      case "fields":
        if (child.fields.length === 0) break;
        target.push({
          tag: "div",
          fields: child.fields.map((f) => ({
            is_short: true,
            text: {
              tag: "lark_md",
              content: `**${escapeLarkMarkdown(f.label, false)}**\n${escapeLarkMarkdown(f.value)}`,
            },
          })),
        });
        break;
      case "divider":
        target.push({ tag: "hr" });
        break;
      case "actions":
        if (child.elements.length > 0)
          target.push(r.row(child.elements.map((e) => (e.type === "link-button" ? r.link(e) : r.button(e)))));
        break;
      case "submit":
        target.push(target === inForm ? r.submit(child) : r.row([r.button({ ...child, type: "button" })]));
        break;
      default:
        target.push(...r.input(child));
    }
    if (i === formEnd) top.push(r.form(inForm.splice(0)));
  });
  return top;
}

function assertFits(problems: string[], what: string): void {
  if (problems.length > 0) throw new RangeError(`${what} breaks Lark card limits: ${problems.join("; ")}`);
}

/** A neutral card as a Lark card (JSON 2.0). */
export function renderLarkCard(card: CardNode, options: RenderLarkOptions = {}): LarkCard {
  const rendered: LarkCard = {
    schema: "2.0",
    config: { update_multi: true, summary: { content: truncate(card.header.title, 100) } },
    header: {
      title: plain(card.header.title),
      ...(card.header.subtitle ? { subtitle: plain(card.header.subtitle) } : {}),
      template: toneTemplate[card.header.tone],
    },
    body: { elements: body(card, new Renderer(options.chatType)) },
  };
  assertFits(checkLarkCard(rendered), `card "${card.header.title}"`);
  return rendered;
}

/** The body of `im.message.create` / `reply` for a card (`content` is a JSON string). */
export function renderLarkMessage(
  card: CardNode,
  options: RenderLarkOptions = {},
): { msg_type: "interactive"; content: string } {
  return { msg_type: "interactive", content: JSON.stringify(renderLarkCard(card, options)) };
}

export type LarkToast = { type: "info" | "success" | "warning" | "error"; content: string };
export type LarkCallbackResponse = {
  toast?: LarkToast;
  card?: { type: "raw"; data: LarkCard };
};

/**
 * The HTTP 200 body answering a `card.action.trigger` within 3 s: an optional toast (text from the
 * bot, in the viewer's language) and an optional card that replaces the clicked one. `{}` changes
 * nothing.
 */
export function renderCardActionResponse(
  answer: { toast?: LarkToast; card?: CardNode },
  options: RenderLarkOptions = {},
): LarkCallbackResponse {
  return {
    ...(answer.toast
      ? { toast: { type: answer.toast.type, content: truncate(answer.toast.content, 200) } }
      : {}),
    ...(answer.card ? { card: { type: "raw", data: renderLarkCard(answer.card, options) } } : {}),
  };
}
