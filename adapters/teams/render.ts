/**
 * Neutral cards → Adaptive Cards 1.5 for Microsoft Teams (shared/reference/slack-teams.md §B3).
 * Texts come from the card (no new catalogue keys).
 *
 * - Every text is a `RichTextBlock` of `TextRun`s: Teams reads Markdown in `TextBlock` and
 *   `FactSet`, never in a `TextRun`, so nothing a person typed turns into a link or formatting. The
 *   card's own light Markdown is turned into styled runs (bold, italic, monospace, links through
 *   `Action.OpenUrl`). Mentions in a card need `msteams.entities`, which we never send, so `<at>`
 *   shows as text.
 * - Buttons are `Action.Execute` (verb = the neutral action, data = `_baton`, see codec.ts) inside
 *   an `ActionSet`, each with an `Action.Submit` fallback for older clients; link buttons are
 *   `Action.OpenUrl`; a confirmation is an `Action.ShowCard` holding the question and the real
 *   button (a second click on the first button closes it, so `deny` is not shown).
 * - Inputs: `Input.Text`, `Input.ChoiceSet`, `Input.Date`; the person picker is a filtered
 *   `Input.ChoiceSet` whose `choices.data` (`Data.Query`, dataset = the search action) makes Teams
 *   ask the bot (`application/search` invoke) as the user types. Required inputs use their label as
 *   the error message.
 */

import { fallbackText } from "../../cards/fallback-text.ts";
import type {
  ButtonNode,
  CardNode,
  Confirmation,
  InputNode,
  LinkButtonNode,
  Option,
  SubmitNode,
  Tone,
} from "../../cards/model.ts";
import { type Inline, parseMarkdown, safeUrl, truncate } from "../shared/markdown.ts";
import { type BatonData, dataKey, isValidInputId } from "./codec.ts";

export type AcElement = Record<string, unknown> & { type: string };
export type AdaptiveCard = {
  type: "AdaptiveCard";
  $schema: string;
  version: "1.5";
  fallbackText: string;
  msteams: { width: "Full" };
  body: AcElement[];
};
export type CardAttachment = {
  contentType: "application/vnd.microsoft.card.adaptive";
  content: AdaptiveCard;
};

export const adaptiveCardContentType = "application/vnd.microsoft.card.adaptive";
export const schemaUrl = "http://adaptivecards.io/schemas/adaptive-card.json";
/** Keep cards well under Teams' message size (the older, widely quoted 28 KB). */
export const maxCardBytes = 28 * 1024;
/** Teams shows at most 15 options for a dynamic typeahead search. */
export const maxSearchResults = 15;

const toneColor: Record<Tone, string | undefined> = {
  info: undefined,
  success: "Good",
  warning: "Warning",
  danger: "Attention",
};

type Run = Record<string, unknown> & { type: "TextRun"; text: string };

const run = (text: string, style: Record<string, unknown> = {}): Run => ({ type: "TextRun", text, ...style });

function inlineRun(inline: Inline, heading: boolean): Run {
  const base = heading ? { weight: "Bolder", size: "Medium" } : {};
  switch (inline.kind) {
    case "text":
      return run(inline.text, base);
    case "bold":
      return run(inline.text, { ...base, weight: "Bolder" });
    case "italic":
      return run(inline.text, { ...base, italic: true });
    case "code":
      return run(inline.text, { ...base, fontType: "Monospace" });
    case "link": {
      const url = safeUrl(inline.url);
      const label = inline.text || inline.url;
      return url
        ? run(label, {
            ...base,
            color: "Accent",
            underline: true,
            selectAction: { type: "Action.OpenUrl", url },
          })
        : run(label, base);
    }
  }
}

/** Lines of runs → one RichTextBlock per line; a blank line opens a new paragraph. */
function paragraphs(lines: (Run[] | undefined)[]): AcElement[] {
  const out: AcElement[] = [];
  let gap = false;
  for (const runs of lines) {
    if (!runs || runs.every((r) => r.text === "")) {
      gap = out.length > 0;
      continue;
    }
    out.push({
      type: "RichTextBlock",
      inlines: runs.filter((r) => r.text !== ""),
      ...(out.length > 0 && !gap ? { spacing: "None" } : {}),
    });
    gap = false;
  }
  return out;
}

function plainText(text: string, style: Record<string, unknown> = {}): AcElement[] {
  return paragraphs(text.split(/\r?\n/).map((line) => (line.trim() === "" ? undefined : [run(line, style)])));
}

function markdownText(text: string): AcElement[] {
  return paragraphs(
    parseMarkdown(text).map((line) => {
      if (line.kind === "blank") return undefined;
      const runs = line.inlines.map((inline) => inlineRun(inline, line.kind === "heading"));
      if (line.kind === "bullet") return [run("• "), ...runs];
      if (line.kind === "ordered") return [run(`${line.number}. `), ...runs];
      return runs;
    }),
  );
}

function choices(options: Option[], multiple: boolean): { title: string; value: string }[] {
  return options.map((o) => {
    if (multiple && o.value.includes(","))
      throw new RangeError(`option value "${o.value}" of a multi-select cannot contain a comma`);
    return { title: o.label, value: o.value };
  });
}

class Renderer {
  private readonly body: AcElement[] = [];
  private separator = false;

  constructor(private readonly multi: string[]) {}

  push(...elements: AcElement[]): void {
    for (const element of elements) {
      if (this.separator) {
        element.separator = true;
        element.spacing = "Medium";
        this.separator = false;
      }
      this.body.push(element);
    }
  }

  divider(): void {
    if (this.body.length > 0) this.separator = true;
  }

  elements(): AcElement[] {
    return this.body;
  }

  private data(action: string, value: string | undefined): Record<string, BatonData> {
    return {
      [dataKey]: {
        action,
        ...(value !== undefined ? { value } : {}),
        ...(this.multi.length > 0 ? { multi: this.multi } : {}),
      },
    };
  }

  execute(title: string, action: string, value: string | undefined, style: ButtonNode["style"]): AcElement {
    const data = this.data(action, value);
    return {
      type: "Action.Execute",
      title,
      verb: action,
      data,
      ...(style === "primary" ? { style: "positive" } : style === "danger" ? { style: "destructive" } : {}),
      fallback: { type: "Action.Submit", title, data },
    };
  }

  confirmCard(node: ButtonNode | SubmitNode, confirm: Confirmation): AcElement {
    return {
      type: "Action.ShowCard",
      title: node.label,
      ...(node.style === "primary"
        ? { style: "positive" }
        : node.style === "danger"
          ? { style: "destructive" }
          : {}),
      card: {
        type: "AdaptiveCard",
        body: [...plainText(confirm.title, { weight: "Bolder" }), ...plainText(confirm.text)],
        actions: [this.execute(confirm.confirm, node.action, node.value, node.style)],
      },
    };
  }

  button(node: ButtonNode | SubmitNode): AcElement {
    return node.confirm
      ? this.confirmCard(node, node.confirm)
      : this.execute(node.label, node.action, node.value, node.style);
  }

  link(node: LinkButtonNode): AcElement {
    return { type: "Action.OpenUrl", title: node.label, url: safeUrl(node.url) ?? node.url };
  }

  input(node: InputNode): AcElement {
    if (!isValidInputId(node.id)) throw new RangeError(`input id "${node.id}" is not allowed`);
    const common = {
      id: node.id,
      label: node.label,
      ...(node.required ? { isRequired: true, errorMessage: node.label } : {}),
    };
    switch (node.type) {
      case "text-input":
        return {
          type: "Input.Text",
          ...common,
          isMultiline: node.multiline,
          ...(node.placeholder ? { placeholder: node.placeholder } : {}),
          ...(node.initial ? { value: node.initial } : {}),
        };
      case "date-input":
        return {
          type: "Input.Date",
          ...common,
          ...(node.initial ? { value: node.initial } : {}),
          ...(node.min ? { min: node.min } : {}),
        };
      case "choice-input":
        return {
          type: "Input.ChoiceSet",
          ...common,
          choices: choices(node.options, node.multiple),
          isMultiSelect: node.multiple,
          style: node.options.length <= 5 ? "expanded" : "compact",
          wrap: true,
          ...(node.initial && node.initial.length > 0 ? { value: node.initial.join(",") } : {}),
        };
      case "person-input":
        return {
          type: "Input.ChoiceSet",
          ...common,
          choices: choices(node.options, node.multiple),
          isMultiSelect: node.multiple,
          style: "filtered",
          ...(node.search.mode === "remote"
            ? { "choices.data": { type: "Data.Query", dataset: node.search.action } }
            : {}),
        };
    }
  }
}

/** A neutral card as an Adaptive Card 1.5. */
export function renderAdaptiveCard(card: CardNode): AdaptiveCard {
  const multi = card.children.flatMap((c) =>
    (c.type === "choice-input" || c.type === "person-input") && c.multiple ? [c.id] : [],
  );
  const r = new Renderer(multi);
  const color = toneColor[card.header.tone];
  r.push({
    type: "RichTextBlock",
    inlines: [run(card.header.title, { size: "Large", weight: "Bolder", ...(color ? { color } : {}) })],
  });
  if (card.header.subtitle)
    r.push(...plainText(card.header.subtitle, { isSubtle: true }).map((e) => ({ ...e, spacing: "None" })));
  for (const child of card.children) {
    switch (child.type) {
      case "text":
        r.push(...(child.markdown ? markdownText(child.text) : plainText(child.text)));
        break;
      case "fields":
        child.fields.forEach((field, i) => {
          r.push({
            type: "ColumnSet",
            ...(i > 0 ? { spacing: "Small" } : {}),
            columns: [
              {
                type: "Column",
                width: 2,
                items: plainText(field.label, { weight: "Bolder" }),
              },
              { type: "Column", width: 3, items: plainText(field.value) },
            ],
          });
        });
        break;
      case "divider":
        r.divider();
        break;
      case "actions":
        if (child.elements.length > 0)
          r.push({
            type: "ActionSet",
            actions: child.elements.map((e) => (e.type === "link-button" ? r.link(e) : r.button(e))),
          });
        break;
      case "submit":
        r.push({ type: "ActionSet", actions: [r.button(child)] });
        break;
      default:
        r.push(r.input(child));
    }
  }
  const rendered: AdaptiveCard = {
    type: "AdaptiveCard",
    $schema: schemaUrl,
    version: "1.5",
    fallbackText: truncate(fallbackText(card), 3000),
    msteams: { width: "Full" },
    body: r.elements(),
  };
  const size = new TextEncoder().encode(JSON.stringify(rendered)).length;
  if (size > maxCardBytes)
    throw new RangeError(
      `card "${card.header.title}" is ${size} bytes as an Adaptive Card (max ${maxCardBytes})`,
    );
  return rendered;
}

/** The attachment that carries a card in a message activity. */
export function renderAttachment(card: CardNode): CardAttachment {
  return { contentType: adaptiveCardContentType, content: renderAdaptiveCard(card) };
}

/** A message activity with the card (for `sendActivity` / `updateActivity`). */
export function renderActivity(card: CardNode): {
  type: "message";
  summary: string;
  attachments: CardAttachment[];
} {
  return {
    type: "message",
    summary: truncate(card.header.title, 200),
    attachments: [renderAttachment(card)],
  };
}

/**
 * botbuilder's `InvokeResponse` for an `adaptiveCard/action`: HTTP 200 with the card that replaces
 * the clicked one in place (Universal Actions; shared/reference/slack-teams.md §B3).
 */
export function renderInvokeCard(card: CardNode): {
  status: 200;
  body: { statusCode: 200; type: typeof adaptiveCardContentType; value: AdaptiveCard };
} {
  return {
    status: 200,
    body: { statusCode: 200, type: adaptiveCardContentType, value: renderAdaptiveCard(card) },
  };
}

/** An invoke answer that shows a short message instead of replacing the card. */
export function renderInvokeMessage(text: string): {
  status: 200;
  body: { statusCode: 200; type: "application/vnd.microsoft.activity.message"; value: string };
} {
  return {
    status: 200,
    body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: text },
  };
}

/** An invoke answer for a failure (Teams shows an error on the card). */
export function renderInvokeError(
  statusCode: 400 | 500,
  code: string,
  message: string,
): {
  status: 200;
  body: {
    statusCode: 400 | 500;
    type: "application/vnd.microsoft.error";
    value: { code: string; message: string };
  };
} {
  return {
    status: 200,
    body: { statusCode, type: "application/vnd.microsoft.error", value: { code, message } },
  };
}

/** The answer to an `application/search` invoke (typeahead in a person picker): at most 15 results. */
export function renderSearchResponse(options: Option[]): {
  status: 200;
  body: {
    statusCode: 200;
    type: "application/vnd.microsoft.search.searchResponse";
    value: { results: { title: string; value: string }[] };
  };
} {
  return {
    status: 200,
    body: {
      statusCode: 200,
      type: "application/vnd.microsoft.search.searchResponse",
      value: { results: options.slice(0, maxSearchResults).map((o) => ({ title: o.label, value: o.value })) },
    },
  };
}
