import { describe, expect, it } from "vitest";
import { pageBlocks, parseInline, splitLesson } from "./lesson-text.ts";

describe("lesson files", () => {
  it("splits the title and pages with the line each page starts on", () => {
    const { lesson, problems } = splitLesson("\n# Title\n\nFirst page\nmore\n---\n\n\nSecond\n");
    expect(problems).toEqual([]);
    expect(lesson).toEqual({
      title: "Title",
      titleLine: 2,
      pages: [
        { text: "First page\nmore", line: 4 },
        { text: "Second", line: 9 },
      ],
    });
  });

  it("reports an empty page and a missing title by line", () => {
    expect(splitLesson("# T\n\nOne\n---\n\n---\nThree\n").problems).toEqual([
      { line: 5, message: "this page is empty" },
    ]);
    expect(splitLesson("\n\nNo title\n").problems).toEqual([
      { line: 3, message: "a lesson starts with a `# Title` line" },
    ]);
  });
});

describe("page blocks", () => {
  it("knows headings, lists, quotes, paragraphs and bold; everything else is text", () => {
    expect(
      pageBlocks("## Rule\n\nSome **bold** text\ncontinued.\n\n- one\n- two\n1. first\n> quoted <b>\n"),
    ).toEqual([
      { type: "heading", inlines: [{ text: "Rule", strong: false }] },
      {
        type: "paragraph",
        inlines: [
          { text: "Some ", strong: false },
          { text: "bold", strong: true },
          { text: " text continued.", strong: false },
        ],
      },
      {
        type: "list",
        ordered: false,
        items: [[{ text: "one", strong: false }], [{ text: "two", strong: false }]],
      },
      { type: "list", ordered: true, items: [[{ text: "first", strong: false }]] },
      { type: "quote", inlines: [{ text: "quoted <b>", strong: false }] },
    ]);
  });

  it("leaves an unmatched ** as text", () => {
    expect(parseInline("a ** b")).toEqual([
      { text: "a ", strong: false },
      { text: "**", strong: false },
      { text: " b", strong: false },
    ]);
  });
});
