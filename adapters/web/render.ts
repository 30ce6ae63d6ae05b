import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { fallbackText } from "../../cards/fallback-text.ts";
import type {
  Block,
  ButtonNode,
  ButtonStyle,
  CardNode,
  ChoiceInputNode,
  Confirmation,
  DateInputNode,
  LinkButtonNode,
  PersonInputNode,
  SubmitNode,
  TextInputNode,
} from "../../cards/model.ts";
import { type Locale, translate } from "../../core/messages/index.ts";
import { escapeHtml } from "../shared/html.ts";

export { escapeHtml };

import { chatStylesheet } from "./styles.ts";

export { chatStylesheet } from "./styles.ts";

/** Where every card form posts. */
export const webhookPath = "/webhooks/web";

/** Form field names the renderer writes and the parser reads. */
export const fieldNames = {
  csrf: "_csrf",
  key: "key",
  type: "type",
  action: "action",
  value: "value",
  message: "message",
  text: "text",
  query: "query",
  /** Inputs are posted as `f.<id>`, so an input id can never clash with the fields above. */
  inputPrefix: "f.",
  /** Names a multiple-choice input, so "none ticked" arrives as an empty list. */
  multi: "_multi",
  /** The value of a submit button: `value:<action>` (a card may have several submits). */
  submitValuePrefix: "value:",
} as const;

/** The longest text accepted in a text input. */
export const maxInputLength = 2000;

/** What a card needs besides itself to become HTML for one viewer. */
export type WebRenderContext = {
  /** The viewer's language, for the renderer's own words (search, choose, …). */
  locale: Locale;
  /** The session's CSRF token, carried in every form. */
  csrfToken: string;
  /** The stored message that carries the card, so an answer can replace it in place. */
  messageId?: number;
  /** A fresh idempotency key for each form (default: a random UUID). */
  newKey?: () => string;
};

type Html = HtmlEscapedString;

/** `html` with only synchronous parts is synchronous; this says so to the type checker. */
const h = (strings: TemplateStringsArray, ...values: unknown[]): Html => html(strings, ...values) as Html;

const join = (parts: readonly Html[]): Html => raw(parts.join(""));

const randomId = (): string => crypto.randomUUID();

/** An http(s) address as a normalised string, or undefined for anything else (javascript:, data:, …). */
export function safeHttpUrl(value: string): string | undefined {
  if (!/^https?:\/\//i.test(value.trim())) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link target: an http(s) address, or a path on this site (`/a/…`), never `//host` or a scheme. */
function safeHref(value: string): { href: string; external: boolean } | undefined {
  const absolute = safeHttpUrl(value);
  if (absolute) return { href: absolute, external: true };
  if (/^\/(?![/\\])[^\s]*$/.test(value) && ![...value].some((ch) => ch.charCodeAt(0) < 0x20)) {
    return { href: value, external: false };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// A safe Markdown subset: **bold**, *italic* / _italic_, `code`, [links](https://…), lists,
// headings (shown bold), quotes, line breaks. Everything else is text; nothing is ever raw HTML.

const escapable = /[\\`*_{}[\]()#+\-.!|~>]/;

/** The index of the next unescaped `marker` at or after `from`, or -1. */
function findClosing(src: string, marker: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === "\\") {
      i++;
      continue;
    }
    if (src.startsWith(marker, i)) return i;
  }
  return -1;
}

const wordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/** `[label](url)`; the url may hold one level of balanced parentheses. */
const linkPattern = /\[((?:\\.|[^\]\\])*)\]\(\s*((?:[^\s()]|\([^\s()]*\))+)\s*\)/y;

function inline(src: string, links: boolean): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    const next = src[i + 1];
    if (ch === "\\" && next !== undefined && escapable.test(next)) {
      out += escapeHtml(next);
      i += 2;
      continue;
    }
    if (ch === "`") {
      const end = src.indexOf("`", i + 1);
      if (end > i + 1) {
        out += `<code>${escapeHtml(src.slice(i + 1, end))}</code>`;
        i = end + 1;
        continue;
      }
    }
    if (ch === "[" && links) {
      linkPattern.lastIndex = i;
      const match = linkPattern.exec(src);
      if (match) {
        const label = inline(match[1] ?? "", false);
        const url = safeHttpUrl(match[2] ?? "");
        out += url
          ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer" target="_blank">${label}</a>`
          : label;
        i += match[0].length;
        continue;
      }
    }
    if ((ch === "*" || ch === "_") && next === ch) {
      const marker = ch + ch;
      const end = findClosing(src, marker, i + 2);
      if (end > i + 2) {
        out += `<strong>${inline(src.slice(i + 2, end), links)}</strong>`;
        i = end + 2;
        continue;
      }
    }
    if ((ch === "*" || ch === "_") && next !== undefined && next !== " " && next !== ch) {
      const opensWord = ch === "*" || !wordChar(src[i - 1]);
      const end = findClosing(src, ch, i + 1);
      if (opensWord && end > i + 1 && src[end - 1] !== " " && (ch === "*" || !wordChar(src[end + 1]))) {
        out += `<em>${inline(src.slice(i + 1, end), links)}</em>`;
        i = end + 1;
        continue;
      }
    }
    out += escapeHtml(ch);
    i++;
  }
  return out;
}

/** Light Markdown to HTML; every character of the source is escaped or recognised, never passed through. */
export function renderMarkdown(source: string): Html {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: { tag: "ul" | "ol"; items: string[] } | undefined;
  let quote: string[] = [];
  const flushParagraph = () => {
    if (paragraph.length) out.push(`<p>${paragraph.map((l) => inline(l, true)).join("<br>")}</p>`);
    paragraph = [];
  };
  const flushList = () => {
    if (list)
      out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i, true)}</li>`).join("")}</${list.tag}>`);
    list = undefined;
  };
  const flushQuote = () => {
    if (quote.length) out.push(`<blockquote>${quote.map((l) => inline(l, true)).join("<br>")}</blockquote>`);
    quote = [];
  };
  const flushAll = () => {
    flushParagraph();
    flushList();
    flushQuote();
  };
  for (const line of lines) {
    if (line.trim() === "") {
      flushAll();
      continue;
    }
    const bullet = /^\s*[-*+•]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d{1,3}[.)]\s+(.*)$/.exec(line);
    const heading = /^\s*#{1,6}\s+(.*)$/.exec(line);
    const quoted = /^\s*>\s?(.*)$/.exec(line);
    if (bullet || numbered) {
      const tag = bullet ? "ul" : "ol";
      flushParagraph();
      flushQuote();
      if (list && list.tag !== tag) flushList();
      list ??= { tag, items: [] };
      list.items.push((bullet ?? numbered)?.[1] ?? "");
    } else if (heading) {
      flushAll();
      out.push(`<p><strong>${inline(heading[1] ?? "", true)}</strong></p>`);
    } else if (quoted) {
      flushParagraph();
      flushList();
      quote.push(quoted[1] ?? "");
    } else {
      flushList();
      flushQuote();
      paragraph.push(line.trim());
    }
  }
  flushAll();
  return raw(out.join(""));
}

// ---------------------------------------------------------------------------------------------
// Cards

const styleClass: Record<ButtonStyle, string> = {
  primary: "btn-primary",
  danger: "btn-danger",
  default: "btn-default",
};

type Ids = {
  card: string;
  key: () => string;
  ctx: WebRenderContext;
  buttonForms: Html[];
  count: number;
  /**
   * In a card with inputs, the actions whose buttons press the card's own form (so the click
   * carries the inputs, as a click does on the chat platforms), with the value each sends.
   */
  joined?: Map<string, string | undefined>;
};

function hiddenFields(ids: Ids, fields: Record<string, string | undefined>): Html {
  const all: Record<string, string | undefined> = {
    [fieldNames.csrf]: ids.ctx.csrfToken,
    [fieldNames.key]: ids.key(),
    [fieldNames.type]: "action",
    ...(ids.ctx.messageId !== undefined ? { [fieldNames.message]: String(ids.ctx.messageId) } : {}),
    ...fields,
  };
  return join(
    Object.entries(all)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => h`<input type="hidden" name="${name}" value="${value}">`),
  );
}

/** A confirmation around the button that really acts: the first press only opens it. */
function confirmed(label: string, style: ButtonStyle, confirm: Confirmation, actButton: Html): Html {
  return h`<details class="confirm"><summary class="btn ${styleClass[style]}" role="button">${label}</summary><div class="confirm-box"><strong>${confirm.title}</strong><p>${confirm.text}</p><div class="confirm-row">${actButton}<button type="button" data-deny>${confirm.deny}</button></div></div></details>`;
}

/** The button `act` draws, behind a confirmation when the node asks for one (then styled to act). */
function withConfirm(node: ButtonNode | SubmitNode, act: (style: ButtonStyle, label: string) => Html): Html {
  if (!node.confirm) return act(node.style, node.label);
  const style = node.style === "default" ? "primary" : node.style;
  return confirmed(node.label, node.style, node.confirm, act(style, node.confirm.confirm));
}

/**
 * A button: its own small form (placed after the card, joined by the `form` attribute) — or, in a
 * card with inputs, a submit of the card's form, so the inputs go with the click (the handover's
 * "complete" sends the ticks); it skips the form's required checks, as a button does elsewhere.
 */
function buttonHtml(node: ButtonNode, ids: Ids): Html {
  if (ids.joined?.has(node.action)) {
    return withConfirm(
      node,
      (style, label) =>
        h`<button type="submit" name="${fieldNames.action}" value="${node.action}" class="${styleClass[style]}" formnovalidate>${label}</button>`,
    );
  }
  const formId = `${ids.card}-b${ids.count++}`;
  ids.buttonForms.push(
    h`<form id="${formId}" method="post" action="${webhookPath}" hidden>${hiddenFields(ids, {
      [fieldNames.action]: node.action,
      [fieldNames.value]: node.value,
    })}</form>`,
  );
  return withConfirm(
    node,
    (style, label) =>
      h`<button type="submit" form="${formId}" class="${styleClass[style]}">${label}</button>`,
  );
}

function linkButtonHtml(node: LinkButtonNode, ctx: WebRenderContext): Html {
  const target = safeHref(node.url);
  if (!target)
    return h`<span class="btn btn-link" aria-disabled="true">${node.label} ${translate(ctx.locale, "web.link.unsafe")}</span>`;
  return target.external
    ? h`<a class="btn btn-link" href="${target.href}" rel="noopener noreferrer" target="_blank">${node.label}</a>`
    : h`<a class="btn btn-link" href="${target.href}">${node.label}</a>`;
}

function submitHtml(node: SubmitNode): Html {
  return withConfirm(
    node,
    (style, label) =>
      h`<button type="submit" name="${fieldNames.action}" value="${node.action}" class="${styleClass[style]}">${label}</button>`,
  );
}

const requiredMark = (required: boolean): Html =>
  required ? h` <span class="req" aria-hidden="true">*</span>` : h``;

const inputName = (id: string) => `${fieldNames.inputPrefix}${id}`;

function textInputHtml(node: TextInputNode, ids: Ids): Html {
  const id = `${ids.card}-${node.id}`;
  const control = node.multiline
    ? h`<textarea id="${id}" name="${inputName(node.id)}" maxlength="${maxInputLength}" rows="3"${node.required ? raw(" required") : ""}${node.placeholder ? h` placeholder="${node.placeholder}"` : ""}>${node.initial ?? ""}</textarea>`
    : h`<input type="text" id="${id}" name="${inputName(node.id)}" maxlength="${maxInputLength}" autocomplete="off"${node.required ? raw(" required") : ""}${node.placeholder ? h` placeholder="${node.placeholder}"` : ""}${node.initial ? h` value="${node.initial}"` : ""}>`;
  return h`<div class="field"><label for="${id}">${node.label}${requiredMark(node.required)}</label>${control}</div>`;
}

function dateInputHtml(node: DateInputNode, ids: Ids): Html {
  const id = `${ids.card}-${node.id}`;
  return h`<div class="field"><label for="${id}">${node.label}${requiredMark(node.required)}</label><input type="date" id="${id}" name="${inputName(node.id)}"${node.required ? raw(" required") : ""}${node.initial ? h` value="${node.initial}"` : ""}${node.min ? h` min="${node.min}"` : ""}></div>`;
}

function choiceInputHtml(node: ChoiceInputNode): Html {
  const type = node.multiple ? "checkbox" : "radio";
  const initial = new Set(node.initial ?? []);
  const options = node.options.map(
    (option) =>
      h`<label><input type="${type}" name="${inputName(node.id)}" value="${option.value}"${initial.has(option.value) ? raw(" checked") : ""}${node.required && !node.multiple ? raw(" required") : ""}>${option.label}</label>`,
  );
  const multi = node.multiple ? h`<input type="hidden" name="${fieldNames.multi}" value="${node.id}">` : h``;
  return h`<fieldset class="field"><legend>${node.label}${requiredMark(node.required)}</legend>${multi}<div class="choices">${join(options)}</div></fieldset>`;
}

function personInputHtml(node: PersonInputNode, ids: Ids): Html {
  const id = `${ids.card}-${node.id}`;
  const { locale } = ids.ctx;
  const options = node.options.map((o) => h`<option value="${o.value}">${o.label}</option>`);
  const select = h`<select id="${id}" name="${inputName(node.id)}"${node.multiple ? raw(" multiple") : ""}${node.required ? raw(" required") : ""}>${node.multiple ? "" : h`<option value="">${translate(locale, "web.choose")}</option>`}${join(options)}</select>`;
  const multi = node.multiple ? h`<input type="hidden" name="${fieldNames.multi}" value="${node.id}">` : h``;
  if (node.search.mode === "remote") {
    return h`<div class="field person" data-search-action="${node.search.action}"><label for="${id}">${node.label}${requiredMark(node.required)}</label><input type="search" data-person-search aria-controls="${id}" aria-label="${translate(locale, "web.search.label")}: ${node.label}" placeholder="${translate(locale, "web.search.placeholder")}" autocomplete="off" maxlength="100" hidden>${select}${multi}</div>`;
  }
  return h`<div class="field person"><label for="${id}">${node.label}${requiredMark(node.required)}</label>${select}${multi}</div>`;
}

function blockHtml(block: Block, ids: Ids): Html {
  switch (block.type) {
    case "text":
      return block.markdown
        ? h`<div class="md">${renderMarkdown(block.text)}</div>`
        : h`<p class="plain">${block.text}</p>`;
    case "fields":
      return h`<dl class="fields">${join(block.fields.map((f) => h`<dt>${f.label}</dt><dd>${f.value}</dd>`))}</dl>`;
    case "divider":
      return h`<hr>`;
    case "actions":
      return h`<div class="actions">${join(
        block.elements.map((e) => (e.type === "button" ? buttonHtml(e, ids) : linkButtonHtml(e, ids.ctx))),
      )}</div>`;
    case "text-input":
      return textInputHtml(block, ids);
    case "date-input":
      return dateInputHtml(block, ids);
    case "choice-input":
      return choiceInputHtml(block);
    case "person-input":
      return personInputHtml(block, ids);
    case "submit":
      return h`<div class="submits">${submitHtml(block)}</div>`;
  }
}

const hasForm = (card: CardNode) =>
  card.children.some((b) => b.type === "submit" || b.type.endsWith("-input"));

/**
 * The buttons of a card with inputs that can press the card's form: each action whose submits and
 * buttons all send one value (the form carries one `value:<action>`); others keep their own form.
 */
function joinedButtons(card: CardNode): Map<string, string | undefined> {
  const values = new Map<string, Set<string | undefined>>();
  const add = (action: string, value: string | undefined) =>
    values.set(action, (values.get(action) ?? new Set()).add(value));
  const buttons = new Set<string>();
  for (const block of card.children) {
    if (block.type === "submit") add(block.action, block.value);
    if (block.type !== "actions") continue;
    for (const element of block.elements) {
      if (element.type !== "button") continue;
      add(element.action, element.value);
      buttons.add(element.action);
    }
  }
  const joined = new Map<string, string | undefined>();
  for (const action of buttons) {
    const sent = values.get(action);
    if (sent?.size === 1) joined.set(action, [...sent][0]);
  }
  return joined;
}

/**
 * A neutral card as HTML for one viewer: every text escaped, Markdown only from the safe subset,
 * buttons and submits as forms that post to `/webhooks/web` with the action, its value, a fresh
 * idempotency key and the session's CSRF token. A card with inputs is one form: its submits, and
 * its buttons, send every input (a button whose action another element sends with a different
 * value keeps a separate small form, joined through the `form` attribute).
 */
export function renderCardHtml(card: CardNode, ctx: WebRenderContext): Html {
  const withForm = hasForm(card);
  const ids: Ids = {
    card: `c${randomId().slice(0, 8)}`,
    key: ctx.newKey ?? randomId,
    ctx,
    buttonForms: [],
    count: 0,
    ...(withForm ? { joined: joinedButtons(card) } : {}),
  };
  const header = h`<header><h2 class="card-title">${card.header.title}</h2>${card.header.subtitle ? h`<p class="card-subtitle">${card.header.subtitle}</p>` : ""}</header>`;
  const blocks = join(card.children.map((block) => blockHtml(block, ids)));
  let body: Html;
  if (withForm) {
    const submitValues: Record<string, string> = {};
    for (const block of card.children) {
      if (block.type === "submit" && block.value !== undefined) {
        submitValues[`${fieldNames.submitValuePrefix}${block.action}`] ??= block.value;
      }
    }
    for (const [action, value] of ids.joined ?? []) {
      if (value !== undefined) submitValues[`${fieldNames.submitValuePrefix}${action}`] ??= value;
    }
    // The disabled first submit keeps Enter in a field from pressing a real (maybe confirmed) button.
    body = h`<form class="card-body card-form" method="post" action="${webhookPath}"><button type="submit" disabled hidden aria-hidden="true" tabindex="-1"></button>${hiddenFields(ids, submitValues)}${blocks}</form>`;
  } else {
    body = h`<div class="card-body">${blocks}</div>`;
  }
  return h`<article class="card tone-${card.header.tone}" data-card>${header}${body}${join(ids.buttonForms)}</article>`;
}

/** What the web surface makes of a card: HTML for a viewer, and the plain fallback text. */
export type WebRenderedCard = { html(ctx: WebRenderContext): Html; text: string };

/** The adapter's `render`: the card's HTML (per viewer, since forms carry their CSRF token) and fallback text. */
export function renderCard(card: CardNode): WebRenderedCard {
  return { html: (ctx) => renderCardHtml(card, ctx), text: fallbackText(card) };
}

// ---------------------------------------------------------------------------------------------
// Messages and pages

/** A stored chat message as the page shows it. */
export type WebMessageView = {
  id: number;
  revision: number;
  role: "user" | "bot";
  text: string | null;
  card: CardNode | null;
};

/** One message of the log: what a person typed (as text, never markup) or a bot card. */
export function renderMessage(message: WebMessageView, ctx: Omit<WebRenderContext, "messageId">): Html {
  const { locale } = ctx;
  if (message.role === "user") {
    return h`<li class="msg msg-user" id="m${message.id}" data-id="${message.id}" data-revision="${message.revision}"><span class="meta">${translate(locale, "web.you")}</span><div class="bubble">${message.text ?? ""}</div></li>`;
  }
  const content = message.card
    ? renderCardHtml(message.card, { ...ctx, messageId: message.id })
    : h`<div class="bubble">${message.text ?? ""}</div>`;
  return h`<li class="msg msg-bot" id="m${message.id}" data-id="${message.id}" data-revision="${message.revision}"><span class="meta">${translate(locale, "web.bot")}</span>${content}</li>`;
}

/** The frame of a web chat page: the chat stylesheet, our own script only where asked. */
export function chatDocument(options: {
  locale: Locale;
  title: string;
  body: Html;
  script?: string;
  bodyAttributes?: Html;
}): Html {
  return h`<!doctype html>
<html lang="${options.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex">
<title>${options.title} · Baton</title>
<style>${raw(chatStylesheet)}</style>
${options.script ? h`<script src="${options.script}" defer></script>` : ""}
</head>
<body${options.bodyAttributes ?? ""}>${options.body}</body>
</html>`;
}

/**
 * A whole standalone page for one card with the chat stylesheet, for screenshots and previews. Its
 * forms carry `csrfToken` (default a dummy) and post nowhere useful outside a signed-in chat.
 */
export function renderCardPage(
  card: CardNode,
  options: { locale: Locale; csrfToken?: string; title?: string } = { locale: "zh-CN" },
): string {
  const ctx: WebRenderContext = { locale: options.locale, csrfToken: options.csrfToken ?? "preview" };
  const title = options.title ?? translate(options.locale, "web.preview.title");
  const body = h`<main class="preview"><ul class="log"><li class="msg msg-bot"><span class="meta">${translate(options.locale, "web.bot")}</span>${renderCardHtml(card, ctx)}</li></ul></main>`;
  return chatDocument({ locale: options.locale, title, body }).toString();
}
