import { describe, expect, it } from "vitest";
import { checkMessage, checkModal, checkSuggestions } from "./limits.ts";

const plain = (text: string) => ({ type: "plain_text", text });
const button = (actionId: string, extra: Record<string, unknown> = {}) => ({
  type: "button",
  action_id: actionId,
  text: plain("OK"),
  ...extra,
});
const message = (blocks: unknown[]) => ({ text: "fallback", blocks });

describe("the Block Kit limit checker", () => {
  it("passes a message within the limits", () => {
    expect(
      checkMessage(
        message([
          { type: "header", text: plain("Title") },
          { type: "section", text: { type: "mrkdwn", text: "*hi*" }, accessory: button("a") },
          { type: "actions", elements: [button("b", { value: "v", style: "primary" })] },
          { type: "divider" },
        ]),
      ),
    ).toEqual([]);
  });

  it.each([
    ["51 blocks", message(Array.from({ length: 51 }, () => ({ type: "divider" }))), "/blocks: 51 items > 50"],
    ["no fallback text", { blocks: [{ type: "divider" }] }, "/text: missing"],
    [
      "a header over 150",
      message([{ type: "header", text: plain("x".repeat(151)) }]),
      "/blocks/0/text: text of 151 > 150",
    ],
    [
      "a mrkdwn header",
      message([{ type: "header", text: { type: "mrkdwn", text: "x" } }]),
      "must be plain_text",
    ],
    [
      "section text over 3000",
      message([{ type: "section", text: plain("x".repeat(3001)) }]),
      "text of 3001 > 3000",
    ],
    ["an empty section text", message([{ type: "section", text: plain("") }]), "empty text"],
    [
      "11 fields",
      message([{ type: "section", fields: Array.from({ length: 11 }, () => plain("f")) }]),
      "/blocks/0/fields: 11 items > 10",
    ],
    [
      "a field over 2000",
      message([{ type: "section", fields: [plain("x".repeat(2001))] }]),
      "/blocks/0/fields/0: text of 2001 > 2000",
    ],
    [
      "26 elements in an actions block",
      message([{ type: "actions", elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) }]),
      "26 items > 25",
    ],
    [
      "button text over 75",
      message([{ type: "actions", elements: [{ ...button("a"), text: plain("x".repeat(76)) }] }]),
      "text of 76 > 75",
    ],
    [
      "an action_id over 255",
      message([{ type: "actions", elements: [button("a".repeat(256))] }]),
      "256 characters > 255",
    ],
    [
      "a value over 2000",
      message([{ type: "actions", elements: [button("a", { value: "v".repeat(2001) })] }]),
      "2001 characters > 2000",
    ],
    [
      "an empty value",
      message([{ type: "actions", elements: [button("a", { value: "" })] }]),
      "missing or empty string",
    ],
    [
      "a duplicate action_id",
      message([
        { type: "actions", elements: [button("a")] },
        { type: "actions", elements: [button("a")] },
      ]),
      "duplicate action_id a",
    ],
    [
      "a duplicate block_id",
      message([
        { type: "divider", block_id: "x" },
        { type: "divider", block_id: "x" },
      ]),
      "duplicate x",
    ],
    [
      "a bad button style",
      message([{ type: "actions", elements: [button("a", { style: "danger!" })] }]),
      "bad style",
    ],
    [
      "a confirm title over 100",
      message([
        {
          type: "actions",
          elements: [
            button("a", {
              confirm: {
                title: plain("x".repeat(101)),
                text: plain("t"),
                confirm: plain("y"),
                deny: plain("n"),
              },
            }),
          ],
        },
      ]),
      "/confirm/title: text of 101 > 100",
    ],
    [
      "an option value over 75",
      message([
        {
          type: "input",
          label: plain("L"),
          element: {
            type: "static_select",
            action_id: "s",
            options: [{ text: plain("a"), value: "v".repeat(76) }],
          },
        },
      ]),
      "/options/0/value: 76 characters > 75",
    ],
    [
      "11 radio buttons",
      message([
        {
          type: "input",
          label: plain("L"),
          element: {
            type: "radio_buttons",
            action_id: "r",
            options: Array.from({ length: 11 }, (_, i) => ({ text: plain(`o${i}`), value: `${i}` })),
          },
        },
      ]),
      "11 items > 10",
    ],
    [
      "an initial option that is not an option",
      message([
        {
          type: "input",
          label: plain("L"),
          element: {
            type: "static_select",
            action_id: "s",
            options: [{ text: plain("a"), value: "a" }],
            initial_option: { text: plain("b"), value: "b" },
          },
        },
      ]),
      "initial option is not one of the options",
    ],
    [
      "a button as an input element",
      message([{ type: "input", label: plain("L"), element: button("a") }]),
      "a button cannot be an input element",
    ],
    ["an unknown block", message([{ type: "video" }]), "unexpected block type video"],
  ])("reports %s", (_name, value, problem) => {
    expect(checkMessage(value).join("\n")).toContain(problem);
  });

  it("checks modals: title, submit, metadata, and a submit when there are inputs", () => {
    const input = { type: "input", label: plain("L"), element: { type: "plain_text_input", action_id: "i" } };
    expect(
      checkModal({
        type: "modal",
        title: plain("Title"),
        submit: plain("OK"),
        callback_id: "c",
        blocks: [input],
      }),
    ).toEqual([]);
    const problems = checkModal({
      type: "modal",
      title: plain("x".repeat(25)),
      private_metadata: "m".repeat(3001),
      callback_id: "c".repeat(256),
      blocks: [input],
    }).join("\n");
    expect(problems).toContain("/title: text of 25 > 24");
    expect(problems).toContain("/private_metadata: 3001 characters > 3000");
    expect(problems).toContain("/callback_id: 256 characters > 255");
    expect(problems).toContain("/submit: a modal with inputs needs a submit button");
    expect(
      checkModal({
        type: "modal",
        title: plain("T"),
        blocks: Array.from({ length: 101 }, () => ({ type: "divider" })),
      }),
    ).toContain("/blocks: 101 items > 100");
  });

  it("checks suggestion answers", () => {
    expect(checkSuggestions({ options: [] })).toEqual([]);
    expect(
      checkSuggestions({
        options: Array.from({ length: 101 }, (_, i) => ({ text: plain("x"), value: `${i}` })),
      }),
    ).toContain("/options: 101 items > 100");
  });
});
