/**
 * Lesson files: Markdown with a `# Title` line first and pages separated by a line holding only
 * `---`. Only a small, card-friendly subset is given meaning (headings, paragraphs, lists, quotes,
 * `**bold**`); anything else is shown as the text it is, never as HTML.
 */

export type LessonPage = { text: string; line: number };
export type ParsedLesson = { title: string; titleLine: number; pages: LessonPage[] };
export type LessonProblem = { line: number; message: string };

const separator = /^\s*---\s*$/;
const titleLine = /^#\s+(.+?)\s*#*\s*$/;

/** Splits a lesson file into its title and pages, with the line each page starts on (1-based). */
export function splitLesson(source: string): { lesson?: ParsedLesson; problems: LessonProblem[] } {
  const lines = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  const problems: LessonProblem[] = [];
  let index = 0;
  while (index < lines.length && (lines[index] ?? "").trim() === "") index++;
  const match = titleLine.exec(lines[index] ?? "");
  if (!match?.[1]) {
    problems.push({
      line: Math.min(index + 1, lines.length),
      message: "a lesson starts with a `# Title` line",
    });
    return { problems };
  }
  const title = match[1];
  const titleAt = index + 1;
  const pages: LessonPage[] = [];
  let current: string[] = [];
  let start = index + 2;
  const flush = (endLine: number) => {
    const text = current.join("\n").trim();
    if (text === "") {
      problems.push({ line: Math.min(start, endLine), message: "this page is empty" });
    } else {
      const firstContent = current.findIndex((l) => l.trim() !== "");
      pages.push({ text, line: start + Math.max(firstContent, 0) });
    }
    current = [];
  };
  for (let i = index + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (separator.test(line)) {
      flush(i + 1);
      start = i + 2;
    } else {
      current.push(line);
    }
  }
  flush(lines.length);
  return { lesson: { title, titleLine: titleAt, pages }, problems };
}

export type Inline = { text: string; strong: boolean };
export type Block =
  | { type: "heading"; inlines: Inline[] }
  | { type: "paragraph"; inlines: Inline[] }
  | { type: "quote"; inlines: Inline[] }
  | { type: "list"; ordered: boolean; items: Inline[][] };

/** `**bold**` spans; an unmatched `**` stays as text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const parts = text.split("**");
  const balanced = parts.length % 2 === 1;
  parts.forEach((part, i) => {
    if (part === "") return;
    const strong = balanced && i % 2 === 1;
    if (!balanced && i > 0) out.push({ text: "**", strong: false });
    out.push({ text: part, strong });
  });
  return out;
}

const bullet = /^\s*[-*+]\s+(.*)$/;
const numbered = /^\s*\d{1,3}[.)]\s+(.*)$/;
const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/;
const quote = /^\s*>\s?(.*)$/;

/** A page's Markdown as blocks that any surface can render (HTML, chat cards, plain text). */
export function pageBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length) blocks.push({ type: "paragraph", inlines: parseInline(paragraph.join(" ")) });
    paragraph = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      endParagraph();
      continue;
    }
    const h = heading.exec(line);
    const b = bullet.exec(line);
    const n = numbered.exec(line);
    const q = quote.exec(line);
    if (h) {
      endParagraph();
      blocks.push({ type: "heading", inlines: parseInline(h[1] ?? "") });
    } else if (b || n) {
      endParagraph();
      const ordered = !b;
      const item = parseInline((b ?? n)?.[1] ?? "");
      const last = blocks.at(-1);
      if (last?.type === "list" && last.ordered === ordered) last.items.push(item);
      else blocks.push({ type: "list", ordered, items: [item] });
    } else if (q) {
      endParagraph();
      const last = blocks.at(-1);
      const inlines = parseInline(q[1] ?? "");
      if (last?.type === "quote") last.inlines.push({ text: " ", strong: false }, ...inlines);
      else blocks.push({ type: "quote", inlines });
    } else {
      paragraph.push(line.trim());
    }
  }
  endParagraph();
  return blocks;
}
