import type { CardNode } from "./model.ts";

/** Plain text for surfaces that cannot show cards (SMS-like bots, e-mail text part, notifications). */
export function fallbackText(card: CardNode): string {
  const lines: string[] = [card.header.title];
  if (card.header.subtitle) lines.push(card.header.subtitle);
  for (const block of card.children) {
    switch (block.type) {
      case "text":
        lines.push("", block.markdown ? stripMarkdown(block.text) : block.text);
        break;
      case "fields":
        lines.push("", ...block.fields.map((f) => `${f.label}: ${f.value}`));
        break;
      case "divider":
        lines.push("", "———");
        break;
      case "actions":
        for (const element of block.elements) {
          lines.push(
            element.type === "link-button" ? `${element.label}: ${element.url}` : `[${element.label}]`,
          );
        }
        break;
      case "text-input":
      case "date-input":
        lines.push(`${block.label}: ${block.initial ?? "____"}`);
        break;
      case "choice-input":
        lines.push(
          `${block.label}:`,
          ...block.options.map((o) => `${block.initial?.includes(o.value) ? "[x]" : "[ ]"} ${o.label}`),
        );
        break;
      case "person-input":
        lines.push(`${block.label}: ${block.options.map((o) => o.label).join(", ") || "____"}`);
        break;
      case "submit":
        lines.push(`[${block.label}]`);
        break;
    }
  }
  return lines.join("\n").replace(/\n{3,}/g, "\n\n");
}

/** Characters `escapeMarkdown` (cards/templates/context.ts) puts a backslash before. */
const escaped = "\\`*_[]()#>|~";
/** Escaped characters stand in as private-use code points while the markup is stripped. */
const shelter = (c: string) => String.fromCharCode(0xe000 + escaped.indexOf(c));

function stripMarkdown(text: string): string {
  return text
    .replace(/\\([\\`*_[\]()#>|~])/g, (_, c: string) => shelter(c))
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, "$1 ($2)")
    .replace(/(\*\*|__|`)/g, "")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/[\ue000-\ue00d]/g, (c) => escaped[c.charCodeAt(0) - 0xe000] ?? c);
}
