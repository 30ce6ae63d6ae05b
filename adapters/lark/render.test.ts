import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ActionEvent } from "../../bots/events.ts";
import type { PersonInputNode } from "../../cards/model.ts";
import {
  Actions,
  Button,
  type ButtonNode,
  Card,
  type CardNode,
  ChoiceInput,
  DateInput,
  Divider,
  Fields,
  LinkButton,
  type LinkButtonNode,
  Markdown,
  PersonInput,
  Submit,
  type SubmitNode,
  Text,
  TextInput,
} from "../../cards/model.ts";
import { escapeMarkdown } from "../../cards/templates/context.ts";
import { templateExamples } from "../../cards/templates/examples.ts";
import { translate } from "../../core/messages/index.ts";
import { cardActionPayload, clickables, signedLarkRequest, testSecrets } from "../../test/fakes/lark.ts";
import { exampleCardCases, sampleValues } from "../../test/helpers/example-cards.ts";
import { expectGolden } from "../../test/helpers/golden.ts";
import { checkLarkCard, larkCardBytes, larkLimits } from "./limits.ts";
import { parseLarkPayload } from "./parse.ts";
import {
  escapeLarkMarkdown,
  type LarkCard,
  markdownToLark,
  renderCardActionResponse,
  renderLarkCard,
  renderLarkMessage,
} from "./render.ts";
import { verifyLarkRequest } from "./verify.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const goldenDir = fileURLToPath(new URL("../../test/golden/lark/", import.meta.url));
const cases = exampleCardCases;
/** Typed into every text input: markup this surface would act on, which must stay text. */
const typed = "Typed: <at id=all></at> **bold** [x](https://evil.example) 离职";

/** Lark's person picker sends every person of a multiple pick. */
const larkPerson = (node: PersonInputNode) =>
  node.multiple ? node.options.map((o) => o.value) : (node.options[0]?.value ?? "");

type Json = Record<string, unknown>;

function clickableNodes(card: CardNode): (ButtonNode | LinkButtonNode | SubmitNode)[] {
  return card.children.flatMap((c): (ButtonNode | LinkButtonNode | SubmitNode)[] =>
    c.type === "actions" ? c.elements : c.type === "submit" ? [c] : [],
  );
}

/** Lark → our route: the click encrypted and signed, verified, then parsed. */
function click(payload: Json): ActionEvent {
  const verified = verifyLarkRequest(signedLarkRequest({ payload, now }), now, testSecrets);
  if (!verified.ok) throw new Error(verified.reason);
  const result = parseLarkPayload(verified.payload, { now });
  if (result.kind !== "events" || result.events[0]?.type !== "action")
    throw new Error(`not an action: ${result.kind}`);
  return result.events[0];
}

/** Every value under `key`, anywhere. */
function valuesOf(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesOf(v, key));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => (k === key ? [v] : []).concat(valuesOf(v, key)));
  return [];
}

/** Every text object `{ tag, content }` by tag. */
function texts(card: LarkCard, tag: "plain_text" | "lark_md"): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      const v = value as Json;
      if (v.tag === tag && typeof v.content === "string") found.push(v.content);
      Object.values(v).forEach(visit);
    }
  };
  visit(card);
  return found;
}

describe("Lark card rendering of every example card", () => {
  it.each(cases)("%s (%s) matches its golden file and fits Lark's limits", (name, locale, card) => {
    const rendered = renderLarkCard(card, { chatType: "direct" });
    expect(checkLarkCard(rendered)).toEqual([]);
    expect(larkCardBytes(rendered)).toBeLessThanOrEqual(larkLimits.cardBytes);
    expect(rendered.header.title).toEqual({ tag: "plain_text", content: card.header.title });
    expectGolden(`${goldenDir}${name}.${locale}.json`, rendered);
  });

  it.each(cases)(
    "%s (%s): every click parses back into its neutral action, value and form",
    (_n, _l, card) => {
      const rendered = renderLarkCard(card, { chatType: "direct" });
      const nodes = clickableNodes(card);
      const found = clickables(rendered);
      expect(found).toHaveLength(nodes.length);
      const values = sampleValues(card, typed, larkPerson);
      nodes.forEach((node, i) => {
        const clicked = found[i]!;
        if (node.type === "link-button") {
          expect(clicked.button.behaviors).toEqual([{ type: "open_url", default_url: node.url }]);
          return;
        }
        const event = click(cardActionPayload(clicked, values));
        expect(event.action).toBe(node.action);
        expect(event.value).toBe(node.value);
        // A form's submit brings every input; a button outside the form brings none.
        expect(event.form).toEqual(node.type === "submit" ? values : {});
        expect(event.where).toEqual({ chatId: "oc_5ad11d72b830411d72b836c20", chatType: "direct" });
        expect(event.sourceMessageId).toBe("om_x100b4d8a2c6f1e0c3b8e1f2a9d7c6b5a");
      });
    },
  );

  it.each(cases)("%s (%s): each confirmation is asked before the action runs", (_n, _l, card) => {
    const rendered = renderLarkCard(card);
    const confirmed = clickableNodes(card).filter(
      (n): n is ButtonNode | SubmitNode => n.type !== "link-button" && !!n.confirm,
    );
    const confirms = valuesOf(rendered, "confirm");
    expect(confirms).toEqual(
      confirmed.map((n) => ({
        title: { tag: "plain_text", content: n.confirm!.title },
        text: { tag: "plain_text", content: n.confirm!.text },
      })),
    );
  });
});

describe("the resignation notice form in Lark", () => {
  const card = templateExamples[0]!.render({ locale: "zh-CN", t: translate });
  const rendered = renderLarkCard(card, { chatType: "direct" });

  it("puts the inputs and the submit into one form, with our names", () => {
    const forms = rendered.body.elements.filter((e) => e.tag === "form");
    expect(forms).toHaveLength(1);
    const form = forms[0]!;
    expect(form.name).toBe("baton_form_0");
    const tags = (form.elements as Json[]).map((e) => `${e.tag}${e.name ? `:${e.name}` : ""}`);
    expect(tags).toContain("date_picker:d_lastDay");
    expect(tags).toContain("input:t_reason");
    expect(tags.at(-1)).toBe("button:baton_submit_0");
    const submit = (form.elements as Json[]).at(-1)!;
    expect(submit).toMatchObject({
      form_action_type: "submit",
      type: "danger_filled",
      behaviors: [{ type: "callback", value: { baton: { action: "notice.submit", chat: "d" } } }],
    });
    expect((form.elements as Json[]).find((e) => e.name === "d_lastDay")).toMatchObject({
      required: true,
      initial_date: "2026-04-01",
    });
    expect((form.elements as Json[]).find((e) => e.name === "t_reason")).toMatchObject({
      input_type: "multiline_text",
      required: false,
    });
  });

  it("a click from a card sent to an unknown chat is treated as a group click", () => {
    const unknown = renderLarkCard(card);
    const event = click(cardActionPayload(clickables(unknown)[0]!, { lastDay: "2026-03-31" }));
    expect(event.where.chatType).toBe("group");
    expect(event.form).toEqual({ lastDay: "2026-03-31" });
  });
});

describe("user text in Lark", () => {
  const evil =
    '<at id=all></at> **bold** [click](https://evil.example) _x_ ~~y~~ `z` :DONE: # h <font color="red">r</font>';
  const card = Card({ title: `Notice from ${evil}`, subtitle: evil, tone: "danger" }, [
    Text(evil),
    Markdown(
      `Name: ${escapeMarkdown(evil)} — [Read](https://baton.example.com/a) [bad](javascript:alert(1))`,
    ),
    Fields([{ label: evil, value: evil }]),
    Divider(),
    TextInput("name", evil, { initial: evil, placeholder: evil, required: true }),
    ChoiceInput("pick", evil, [{ label: evil, value: "a" }]),
    Submit(evil, "x.submit", {
      value: "C-1",
      confirm: { title: evil, text: evil, confirm: "OK", deny: "No" },
    }),
    Actions([Button(evil, "case.status", { value: "C-1" }), LinkButton(evil, "https://baton.example.com/x")]),
  ]);
  const rendered = renderLarkCard(card);

  it("shows user text exactly as typed in plain_text", () => {
    expect(checkLarkCard(rendered)).toEqual([]);
    const plainTexts = texts(rendered, "plain_text");
    expect(plainTexts).toContain(evil);
    expect(plainTexts).toContain(`Notice from ${evil}`);
    expect(plainTexts.filter((t) => t === evil).length).toBeGreaterThanOrEqual(7);
    expect((rendered.body.elements.find((e) => e.tag === "form")!.elements as Json[])[0]).toMatchObject({
      default_value: evil,
    });
  });

  it("escapes it wherever Lark reads Markdown: no tag, mention, emphasis, link or emoji survives", () => {
    const markdown = [
      ...(valuesOf(rendered, "content") as string[]).filter((c) => c.startsWith("Name")),
      ...texts(rendered, "lark_md"),
    ];
    expect(markdown).toHaveLength(2);
    for (const content of markdown) {
      expect(content).not.toMatch(/<at|<font|\*\*bold|\[click\]|:DONE:|~~|`|_x_|https:\/\/evil/);
      expect(content).toContain("&lt;at id=all&gt;&lt;/at&gt;");
    }
    // The card's own link stays a link; an unsafe one is only its label.
    expect(markdown[0]).toContain("[Read](https://baton.example.com/a)");
    expect(JSON.stringify(rendered)).not.toContain("javascript:");
  });
});

describe("Lark Markdown", () => {
  it.each([
    ["<at id=all></at>", "&lt;at id=all&gt;&lt;/at&gt;"],
    ["**b** _i_ ~~s~~ `c`", "&#42;&#42;b&#42;&#42; &#95;i&#95; &#126;&#126;s&#126;&#126; &#96;c&#96;"],
    ["[x](https://e.example)", "&#91;x&#93;(https&#58;//e.example)"],
    ["# heading", "&#35; heading"],
    ["- item", "&#45; item"],
    ["1. item", "1&#46; item"],
    ["    code", "&nbsp;&nbsp;&nbsp;&nbsp;code"],
    ["a & b < c", "a &amp; b &lt; c"],
    ["2026-03-02 a-b", "2026-03-02 a-b"],
    ["line\n- two", "line\n&#45; two"],
    ["离职 :OK: at 10:00:00", "离职 &#58;OK&#58; at 10:00:00"],
    ["9000.00 (¥)", "9000.00 (¥)"],
    ["-5 degrees", "-5 degrees"],
    ["---", "&#45;--"],
    ["===", "&#61;=="],
    ["> quote", "&gt; quote"],
    ["2) second", "2&#41; second"],
  ])("escapes %j", (text, escaped) => {
    expect(escapeLarkMarkdown(text)).toBe(escaped);
  });

  it("escapes line starts only at a line start", () => {
    expect(escapeLarkMarkdown("- x", false)).toBe("- x");
    expect(escapeLarkMarkdown("a\n- x", false)).toBe("a\n&#45; x");
  });

  it("turns the card's light Markdown into Lark's", () => {
    expect(
      markdownToLark(
        "# Title\n**Bold** and *it* and `code` and [link](https://baton.example.com/x)\n\n- one\n2. two",
      ),
    ).toBe("**Title**\n**Bold** and *it* and code and [link](https://baton.example.com/x)\n\n- one\n2. two");
    expect(markdownToLark(escapeMarkdown("*not bold* [x](y)"))).toBe("&#42;not bold&#42; &#91;x&#93;(y)");
  });
});

describe("Lark inputs and limits", () => {
  it("renders person pickers from the card's candidates, and only a label when there are none", () => {
    const card = Card({ title: "Pick", tone: "info" }, [
      PersonInput("receiver", "Receiver", {
        people: [{ label: "Han Meimei", value: "employee:E1002" }],
        searchAction: "directory.search",
        required: true,
      }),
      PersonInput("cc", "Copy to", { searchAction: "directory.search", multiple: true }),
      ChoiceInput(
        "done",
        "Done",
        [
          { label: "A", value: "a" },
          { label: "B", value: "b" },
        ],
        {
          multiple: true,
          initial: ["a", "zzz"],
        },
      ),
      DateInput("day", "Day"),
      Submit("OK", "x.ok", { value: "C-1" }),
    ]);
    const form = renderLarkCard(card).body.elements[0]!;
    const elements = form.elements as Json[];
    expect(elements.find((e) => e.name === "p_receiver")).toEqual({
      tag: "select_static",
      name: "p_receiver",
      required: true,
      width: "fill",
      options: [{ text: { tag: "plain_text", content: "Han Meimei" }, value: "employee:E1002" }],
    });
    expect(elements.some((e) => String(e.name).endsWith("_cc"))).toBe(false);
    expect(elements).toContainEqual({ tag: "div", text: { tag: "plain_text", content: "Copy to" } });
    expect(elements.find((e) => e.name === "c_done")).toMatchObject({
      tag: "multi_select_static",
      selected_values: ["a"],
    });
  });

  it("refuses inputs without a submit, ids Lark names cannot carry, and unsafe link buttons", () => {
    expect(() => renderLarkCard(Card({ title: "x", tone: "info" }, [TextInput("a", "A")]))).toThrow(
      /no submit/,
    );
    expect(() =>
      renderLarkCard(Card({ title: "x", tone: "info" }, [TextInput("a.b", "A"), Submit("OK", "x")])),
    ).toThrow(/input id/);
    expect(() =>
      renderLarkCard(Card({ title: "x", tone: "info" }, [Actions([LinkButton("x", "javascript:alert(1)")])])),
    ).toThrow(/http/);
  });

  it("renders a submit without inputs as a plain button", () => {
    const rendered = renderLarkCard(
      Card({ title: "x", tone: "info" }, [Submit("Go", "x.go", { value: "1" })]),
    );
    expect(rendered.body.elements.some((e) => e.tag === "form")).toBe(false);
    expect(click(cardActionPayload(clickables(rendered)[0]!, {}))).toMatchObject({
      action: "x.go",
      value: "1",
    });
  });

  it("refuses a card larger than 30 KB", () => {
    const huge = Card(
      { title: "x", tone: "info" },
      Array.from({ length: 200 }, () => Text("长".repeat(100))),
    );
    expect(() => renderLarkCard(huge)).toThrow(/bytes > 30720/);
  });

  it("shows what the checker catches (it is not a rubber stamp)", () => {
    const base = renderLarkCard(Card({ title: "x", tone: "info" }, [TextInput("a", "A"), Submit("OK", "x")]));
    const form = base.body.elements[0]!;
    const input = (form.elements as Json[])[0]!;
    const bad = {
      ...base,
      header: { ...base.header, template: "pink" },
      body: {
        elements: [
          { ...form, elements: [input, { ...input }] },
          input,
          { tag: "form", name: "f2", elements: [] },
          {
            tag: "button",
            text: { tag: "plain_text", content: "b" },
            behaviors: [{ type: "callback", value: { x: 1 } }],
          },
          { tag: "table" },
        ],
      },
    };
    const problems = checkLarkCard(bad).join("\n");
    expect(problems).toMatch(/template pink/);
    expect(problems).toMatch(/duplicate name t_a/);
    expect(problems).toMatch(/input outside a form/);
    expect(problems).toMatch(/form without a submit/);
    expect(problems).toMatch(/callback value is not ours/);
    expect(problems).toMatch(/unexpected tag table/);
  });
});

describe("what goes back to Lark", () => {
  const card = templateExamples[1]!.render({ locale: "en", t: translate });

  it("sends a card as an interactive message whose content is the card JSON", () => {
    const message = renderLarkMessage(card, { chatType: "group" });
    expect(message.msg_type).toBe("interactive");
    expect(JSON.parse(message.content)).toEqual(renderLarkCard(card, { chatType: "group" }));
  });

  it("answers a card.action.trigger with a toast and the card that replaces the clicked one", () => {
    expect(renderCardActionResponse({})).toEqual({});
    expect(
      renderCardActionResponse(
        { toast: { type: "success", content: "Saved" }, card },
        { chatType: "direct" },
      ),
    ).toEqual({
      toast: { type: "success", content: "Saved" },
      card: { type: "raw", data: renderLarkCard(card, { chatType: "direct" }) },
    });
  });
});
