import { fallbackText } from "../../cards/fallback-text.ts";
import type { Block, CardNode, LinkButtonNode } from "../../cards/model.ts";
import { cardForNotification } from "../../cards/templates/notifications.ts";
import { type Locale, translate } from "../../core/messages/index.ts";
import { escapeHtml } from "../shared/html.ts";
import type { RenderedEmail } from "./render.ts";

/** An http(s) address, made absolute against `publicUrl`; anything else is left out. */
function safeUrl(value: string, publicUrl: string): string | undefined {
  try {
    const url = new URL(value, publicUrl);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The part of a card an e-mail can carry: text, fields, dividers and link buttons (as absolute
 * http(s) links). Buttons and inputs act in a chat and cannot work in a mailbox: they are left out,
 * and `interactive` says whether there were any.
 */
export function mailableCard(card: CardNode, publicUrl: string): { card: CardNode; interactive: boolean } {
  let interactive = false;
  const children: Block[] = [];
  for (const block of card.children) {
    if (block.type === "text" || block.type === "fields" || block.type === "divider") {
      children.push(block);
    } else if (block.type === "actions") {
      const links: LinkButtonNode[] = [];
      for (const element of block.elements) {
        const url = element.type === "link-button" ? safeUrl(element.url, publicUrl) : undefined;
        if (element.type === "link-button" && url) links.push({ ...element, url });
        else interactive = true;
      }
      if (links.length > 0) children.push({ type: "actions", elements: links });
    } else {
      interactive = true;
    }
  }
  return { card: { ...card, children }, interactive };
}

const plain = (text: string) =>
  text
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, "$1 ($2)")
    .replace(/(\*\*|__|`)/g, "")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/\\([\\`*_[\]()#>|~])/g, "$1");

function blockHtml(block: Block): string {
  switch (block.type) {
    case "text": {
      const text = block.markdown ? plain(block.text) : block.text;
      return `<p style="white-space:pre-line">${escapeHtml(text)}</p>`;
    }
    case "fields":
      return [
        '<table style="border-collapse:collapse;margin:.5em 0">',
        ...block.fields.map(
          (f) =>
            `<tr><th style="text-align:left;padding:.2em 1em .2em 0;color:#555;font-weight:normal;vertical-align:top">${escapeHtml(f.label)}</th><td style="padding:.2em 0">${escapeHtml(f.value)}</td></tr>`,
        ),
        "</table>",
      ].join("\n");
    case "divider":
      return "<hr>";
    case "actions":
      return `<p>${block.elements
        .filter((e): e is LinkButtonNode => e.type === "link-button")
        .map(
          (e) =>
            `<a href="${escapeHtml(e.url)}" style="display:inline-block;margin:0 .5em .5em 0;padding:.6em 1.4em;background:#2554d6;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(e.label)}</a>`,
        )
        .join(" ")}</p>`;
    default:
      return "";
  }
}

/**
 * A notification as an e-mail, rendered from its neutral card (`cardForNotification`): the text
 * part is the card's fallback text, the HTML part a simple escaped rendering with link buttons as
 * links. Used for people who left, who can no longer read the company chat.
 */
export function renderCardEmail(input: {
  kind: string;
  data: Record<string, unknown>;
  locale: Locale;
  name: string;
  publicUrl: string;
  intro?: string;
}): RenderedEmail {
  const { kind, data, locale, name, publicUrl } = input;
  const { card, interactive } = mailableCard(
    cardForNotification(kind, data, { locale, t: translate }),
    publicUrl,
  );
  const greeting = translate(locale, "email.greeting", { name });
  const footer = translate(locale, "email.footer");
  const actions = interactive ? translate(locale, "email.departed.actions") : undefined;
  const lead = [greeting, ...(input.intro ? [input.intro] : [])];
  const text = [
    ...lead.flatMap((line) => [line, ""]),
    fallbackText(card),
    ...(actions ? ["", actions] : []),
    "",
    "—",
    footer,
  ].join("\n");
  const { title, subtitle } = card.header;
  const html = [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;max-width:40em">',
    ...lead.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<h1 style="font-size:1.25em">${escapeHtml(title)}</h1>`,
    ...(subtitle ? [`<p style="color:#555">${escapeHtml(subtitle)}</p>`] : []),
    ...card.children.map(blockHtml),
    ...(actions ? [`<p>${escapeHtml(actions)}</p>`] : []),
    `<hr><p style="color:#666;font-size:.9em">${escapeHtml(footer)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject: `Baton: ${title}`, text, html };
}
