import { parse, YAMLError } from "yaml";

/** A Markdown document split into its YAML front matter and its body. */
export type FrontMatterDocument = {
  /** The parsed YAML between the opening and closing `---` lines; undefined when there is none. */
  frontMatter: unknown;
  body: string;
  /** The line of the document the body starts on (1-based). */
  bodyFirstLine: number;
};

/** The front matter is not valid YAML; `line` is the document line of the problem when known. */
export class FrontMatterError extends Error {
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(message);
    this.name = "FrontMatterError";
    this.line = line;
  }
}

/**
 * Splits `---\n<yaml>\n---\n<markdown>`. YAML 1.2 core schema: dates stay strings, duplicate keys
 * and alias bombs are refused. A document that does not start with `---` has no front matter.
 */
export function parseFrontMatter(source: string): FrontMatterDocument {
  const text = source.replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trimEnd() !== "---") return { frontMatter: undefined, body: text, bodyFirstLine: 1 };
  const end = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
  if (end === -1) throw new FrontMatterError("the front matter has no closing --- line", lines.length);
  const yaml = lines.slice(1, end).join("\n");
  let frontMatter: unknown;
  try {
    frontMatter = parse(yaml, { uniqueKeys: true, maxAliasCount: 50 });
  } catch (error) {
    if (error instanceof YAMLError) {
      const line = error.linePos?.[0]?.line;
      throw new FrontMatterError(
        (error.message.split("\n")[0] ?? "not valid YAML").replace(/ at line \d+, column \d+:?$/, ""),
        line === undefined ? undefined : line + 1,
      );
    }
    // yaml throws a plain ReferenceError when the alias count is exceeded.
    if (error instanceof ReferenceError && /alias/i.test(error.message))
      throw new FrontMatterError("too many YAML aliases");
    throw error;
  }
  return {
    frontMatter: frontMatter ?? undefined,
    body: lines.slice(end + 1).join("\n"),
    bodyFirstLine: end + 2,
  };
}
