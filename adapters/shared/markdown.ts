/**
 * The light Markdown of neutral `Markdown(...)` text nodes (cards/model.ts), read into lines of
 * inline runs so each renderer can produce its own markup (Slack mrkdwn, Adaptive Card text runs)
 * without ever passing the source through a platform's Markdown parser. Supported: `**bold**` /
 * `__bold__`, `*italic*` / `_italic_`, `` `code` ``, `[label](url)`, `# heading`, `- bullet`,
 * `1. item`, and backslash escapes (cards/templates/context.ts `escapeMarkdown`). Anything else is
 * text.
 */

export type Inline =
  | { kind: "text" | "bold" | "italic" | "code"; text: string }
  | { kind: "link"; text: string; url: string };

export type MarkdownLine =
  | { kind: "paragraph" | "heading" | "bullet"; inlines: Inline[] }
  | { kind: "ordered"; number: string; inlines: Inline[] }
  | { kind: "blank" };

const punctuation = /[\\`*_[\]()#>|~!{}.+-]/;

/** Only these schemes become links; anything else is shown as its label. */
export function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return ["https:", "http:", "mailto:"].includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** Removes backslash escapes (`\*` → `*`). */
function removeEscapes(text: string): string {
  return text.replace(/\\([\\`*_[\]()#>|~!{}.+-])/g, "$1");
}

/** Index of the next unescaped `marker` at or after `from`, or -1. */
function findClosing(text: string, marker: string, from: number): number {
  for (let i = from; i <= text.length - marker.length; i++) {
    if (text[i] === "\\") {
      i++;
      continue;
    }
    if (text.startsWith(marker, i)) return i;
  }
  return -1;
}

/** Index of the `)` closing a link target that starts at `from` (parentheses inside may nest), or -1. */
function closingParen(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") i++;
    else if (ch === "(") depth++;
    else if (ch === ")") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

export function parseInlines(text: string): Inline[] {
  const out: Inline[] = [];
  let buffer = "";
  const flush = () => {
    if (buffer) out.push({ kind: "text", text: buffer });
    buffer = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "\\" && next !== undefined && punctuation.test(next)) {
      buffer += next;
      i += 2;
      continue;
    }
    if ((ch === "*" || ch === "_") && next === ch) {
      const close = findClosing(text, ch + ch, i + 2);
      if (close > i + 2) {
        flush();
        out.push({ kind: "bold", text: removeEscapes(text.slice(i + 2, close)) });
        i = close + 2;
        continue;
      }
    }
    if (ch === "*" || (ch === "_" && !isWordChar(text[i - 1]))) {
      const close = findClosing(text, ch, i + 1);
      if (close > i + 1 && (ch === "*" || !isWordChar(text[close + 1]))) {
        flush();
        out.push({ kind: "italic", text: removeEscapes(text.slice(i + 1, close)) });
        i = close + 1;
        continue;
      }
    }
    if (ch === "`") {
      const close = text.indexOf("`", i + 1);
      if (close > i + 1) {
        flush();
        out.push({ kind: "code", text: text.slice(i + 1, close) });
        i = close + 1;
        continue;
      }
    }
    if (ch === "[") {
      const labelEnd = findClosing(text, "]", i + 1);
      if (labelEnd > i && text[labelEnd + 1] === "(") {
        const urlEnd = closingParen(text, labelEnd + 2);
        if (urlEnd > labelEnd + 2) {
          flush();
          out.push({
            kind: "link",
            text: removeEscapes(text.slice(i + 1, labelEnd)),
            url: removeEscapes(text.slice(labelEnd + 2, urlEnd)).trim(),
          });
          i = urlEnd + 1;
          continue;
        }
      }
    }
    buffer += ch;
    i++;
  }
  flush();
  return out;
}

/** Splits light Markdown into lines with their inline runs. */
export function parseMarkdown(text: string): MarkdownLine[] {
  return text.split(/\r?\n/).map((line): MarkdownLine => {
    if (line.trim() === "") return { kind: "blank" };
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) return { kind: "heading", inlines: parseInlines(heading[1] ?? "") };
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (bullet) return { kind: "bullet", inlines: parseInlines(bullet[1] ?? "") };
    const ordered = /^\s*(\d{1,9})[.)]\s+(.*)$/.exec(line);
    if (ordered) return { kind: "ordered", number: ordered[1]!, inlines: parseInlines(ordered[2] ?? "") };
    return { kind: "paragraph", inlines: parseInlines(line) };
  });
}

/** Cuts `text` to at most `max` UTF-16 units, ending with "…" when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/**
 * HTML entities for the characters a Markdown renderer that also accepts HTML entities (Lark,
 * DingTalk) could read as markup wherever they stand.
 */
export const markdownEntities: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "*": "&#42;",
  _: "&#95;",
  "~": "&#126;",
  "`": "&#96;",
  "[": "&#91;",
  "]": "&#93;",
  "\\": "&#92;",
  "|": "&#124;",
};

/**
 * Escapes the start of a line (already entity-escaped) so it cannot open a heading, list, quote,
 * rule or code block: the marker becomes an entity, leading spaces `&nbsp;`.
 */
export function escapeMarkdownLineStart(line: string): string {
  let out = line;
  if (/^\s*#/.test(out)) out = out.replace("#", "&#35;");
  else if (/^\s*[-+](\s|$)/.test(out) || /^\s*[-=]+\s*$/.test(out))
    out = out.replace(/[-+=]/, (c) => `&#${c.charCodeAt(0)};`);
  else
    out = out.replace(
      /^(\s*\d{1,9})([.)])(?=\s|$)/,
      (_m, digits: string, c: string) => `${digits}&#${c.charCodeAt(0)};`,
    );
  return out.replace(/^ +/, (spaces) => "&nbsp;".repeat(spaces.length));
}

/** A Markdown link `[label](url)`: the label already escaped, the url's `(`, `)` and spaces encoded. */
export function markdownLink(label: string, url: string): string {
  return `[${label}](${url.replaceAll("(", "%28").replaceAll(")", "%29").replaceAll(" ", "%20")})`;
}
