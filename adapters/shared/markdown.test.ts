import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../cards/templates/context.ts";
import {
  escapeMarkdownLineStart,
  markdownEntities,
  markdownLink,
  parseInlines,
  parseMarkdown,
  safeUrl,
  truncate,
} from "./markdown.ts";

describe("light Markdown", () => {
  it("reads bold, italic, code and links", () => {
    expect(parseInlines("a **b** *c* _d_ `e*f` [g](https://x.example/(1)) h")).toEqual([
      { kind: "text", text: "a " },
      { kind: "bold", text: "b" },
      { kind: "text", text: " " },
      { kind: "italic", text: "c" },
      { kind: "text", text: " " },
      { kind: "italic", text: "d" },
      { kind: "text", text: " " },
      { kind: "code", text: "e*f" },
      { kind: "text", text: " " },
      { kind: "link", text: "g", url: "https://x.example/(1)" },
      { kind: "text", text: " h" },
    ]);
  });

  it("leaves snake_case, lone markers and unclosed brackets as text", () => {
    expect(parseInlines("snake_case_name 2 * 3 [x] (y) [z](")).toEqual([
      { kind: "text", text: "snake_case_name 2 * 3 [x] (y) [z](" },
    ]);
  });

  it("reads headings, bullets, numbered items and blank lines", () => {
    expect(parseMarkdown("# T\n- a\n\n3. b\nc").map((l) => l.kind)).toEqual([
      "heading",
      "bullet",
      "blank",
      "ordered",
      "paragraph",
    ]);
  });

  it("gives back exactly the text that escapeMarkdown escaped", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const line = text.replace(/[\r\n]/g, " ");
        const inlines = parseInlines(escapeMarkdown(line));
        expect(inlines.every((i) => i.kind === "text")).toBe(true);
        expect(inlines.map((i) => i.text).join("")).toBe(line);
      }),
    );
  });

  it("allows only http(s) and mailto links", () => {
    expect(safeUrl("https://baton.example.com/a b")).toBe("https://baton.example.com/a%20b");
    expect(safeUrl("mailto:hr@example.com")).toBe("mailto:hr@example.com");
    expect(safeUrl("javascript:alert(1)")).toBeUndefined();
    expect(safeUrl("/relative")).toBeUndefined();
  });

  it("truncates without splitting a surrogate pair", () => {
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("ab😀cd", 4)).toBe("ab…");
    expect(truncate("ab😀cd", 4).length).toBeLessThanOrEqual(4);
  });
});

describe("Markdown escaping shared by Lark and DingTalk", () => {
  it("keeps a line start from opening a block", () => {
    expect(escapeMarkdownLineStart("# title")).toBe("&#35; title");
    expect(escapeMarkdownLineStart("- item")).toBe("&#45; item");
    expect(escapeMarkdownLineStart("===")).toBe("&#61;==");
    expect(escapeMarkdownLineStart("12. item")).toBe("12&#46; item");
    expect(escapeMarkdownLineStart("  text")).toBe("&nbsp;&nbsp;text");
    expect(escapeMarkdownLineStart("a - b")).toBe("a - b");
  });

  it("has an entity for every inline marker", () => {
    for (const c of "&<>*_~`[]\\|") expect(markdownEntities[c]).toMatch(/^&#?\w+;$/);
  });

  it("encodes parentheses and spaces in a link target", () => {
    expect(markdownLink("x", "https://a.example/p (1)")).toBe("[x](https://a.example/p%20%281%29)");
  });
});
