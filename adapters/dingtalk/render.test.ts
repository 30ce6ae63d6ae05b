import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  Actions,
  Button,
  type ButtonNode,
  Card,
  type CardNode,
  ChoiceInput,
  Divider,
  Fields,
  LinkButton,
  type LinkButtonNode,
  Markdown,
  Submit,
  type SubmitNode,
  Text,
  TextInput,
} from "../../cards/model.ts";
import { escapeMarkdown } from "../../cards/templates/context.ts";
import { templateExamples } from "../../cards/templates/examples.ts";
import { translate } from "../../core/messages/index.ts";
import { exampleCardCases } from "../../test/helpers/example-cards.ts";
import { expectGolden } from "../../test/helpers/golden.ts";
import {
  type DingTalkMessage,
  dingtalkLimits,
  escapeDingTalkMarkdown,
  type LinkFor,
  markdownToDingTalk,
  renderCustomRobotMessage,
  renderDingTalkMessage,
  toRobotOpenApiMessage,
} from "./render.ts";

const goldenDir = fileURLToPath(new URL("../../test/golden/dingtalk/", import.meta.url));
const cases = exampleCardCases;

/** Stands in for the wiring's signed `/a/:token` links: the token carries the action and value. */
const linkFor: LinkFor = (action, value) =>
  `https://baton.example.com/a/${Buffer.from(JSON.stringify({ action, value })).toString("base64url")}`;

function pageOf(actionURL: string): { action: string; value?: string } {
  const outer = new URL(actionURL);
  expect(outer.protocol).toBe("dingtalk:");
  expect(outer.searchParams.get("pc_slide")).toBe("true");
  const page = new URL(outer.searchParams.get("url")!);
  expect(page.origin + page.pathname.slice(0, 3)).toBe("https://baton.example.com/a/");
  return JSON.parse(Buffer.from(page.pathname.slice(3), "base64url").toString("utf8"));
}

function buttonsOf(message: DingTalkMessage): { title: string; actionURL: string }[] {
  if (message.msgtype === "markdown") return [];
  const card = message.actionCard;
  return "singleURL" in card ? [{ title: card.singleTitle, actionURL: card.singleURL }] : card.btns;
}

function textOf(message: DingTalkMessage): string {
  return message.msgtype === "markdown" ? message.markdown.text : message.actionCard.text;
}

function clickableNodes(card: CardNode): (ButtonNode | LinkButtonNode | SubmitNode)[] {
  return card.children.flatMap((c): (ButtonNode | LinkButtonNode | SubmitNode)[] =>
    c.type === "actions" ? c.elements : c.type === "submit" ? [c] : [],
  );
}

describe("DingTalk rendering of every example card", () => {
  it.each(cases)("%s (%s) matches its golden file and fits DingTalk's limits", (name, locale, card) => {
    const message = renderDingTalkMessage(card, { linkFor });
    const content = message.msgtype === "markdown" ? message.markdown : message.actionCard;
    expect(new TextEncoder().encode(JSON.stringify(content)).length).toBeLessThanOrEqual(
      dingtalkLimits.contentBytes,
    );
    expect(content.title).toBe(card.header.title);
    expect(content.text.length).toBeGreaterThan(0);
    const openApi = toRobotOpenApiMessage(message);
    expect(JSON.parse(openApi.msgParam)).toMatchObject({ title: card.header.title, text: content.text });
    expectGolden(`${goldenDir}${name}.${locale}.json`, { message, openApi });
  });

  it.each(cases)(
    "%s (%s): every button and submit is a signed page for its action and value",
    (_n, _l, card) => {
      const message = renderDingTalkMessage(card, { linkFor });
      const nodes = clickableNodes(card);
      const buttons = buttonsOf(message);
      expect(buttons).toHaveLength(nodes.length);
      expect(message.msgtype).toBe(nodes.length === 0 ? "markdown" : "actionCard");
      nodes.forEach((node, i) => {
        expect(buttons[i]!.title).toBe(node.label);
        if (node.type === "link-button") expect(buttons[i]!.actionURL).toBe(node.url);
        else expect(pageOf(buttons[i]!.actionURL)).toEqual({ action: node.action, value: node.value });
      });
    },
  );
});

describe("the resignation notice form in DingTalk", () => {
  const card = templateExamples[0]!.render({ locale: "zh-CN", t: translate });

  it("lists the inputs and links the submit to the page that holds the form", () => {
    const message = renderDingTalkMessage(card, { linkFor });
    expect(message).toMatchObject({ msgtype: "actionCard", actionCard: { singleTitle: "提交离职通知" } });
    expect(textOf(message)).toContain("- 最后工作日  \n- 原因（选填）");
    expect(pageOf(buttonsOf(message)[0]!.actionURL)).toEqual({ action: "notice.submit" });
  });

  it("links straight to the page with sidebar: false", () => {
    const message = renderDingTalkMessage(card, { linkFor, sidebar: false });
    expect(buttonsOf(message)[0]!.actionURL).toMatch(/^https:\/\/baton\.example\.com\/a\//);
  });

  it("needs linkFor, and an http(s) page from it", () => {
    expect(() => renderDingTalkMessage(card)).toThrow(/linkFor/);
    expect(() => renderDingTalkMessage(card, { linkFor: () => "javascript:alert(1)" })).toThrow(/http/);
  });
});

describe("user text in DingTalk", () => {
  const evil = "<font color=red>x</font> **bold** [click](https://evil.example) _x_ `z` # h @13800000000";
  const card = Card({ title: `Notice from ${evil}`, subtitle: evil, tone: "danger" }, [
    Text(`${evil}\n- not a list`),
    Markdown(
      `Name: ${escapeMarkdown(evil)} — [Read](https://baton.example.com/a) [bad](javascript:alert(1))`,
    ),
    Fields([{ label: evil, value: evil }]),
    Divider(),
    TextInput("name", evil),
    ChoiceInput("pick", evil, [{ label: evil, value: "a" }]),
    Submit(evil, "x.submit", { value: "C-1" }),
    Actions([Button(evil, "case.status", { value: "C-1" }), LinkButton(evil, "https://baton.example.com/x")]),
  ]);
  const message = renderDingTalkMessage(card, { linkFor });
  const text = textOf(message);

  it("never lets it become a tag, emphasis, link or heading, and never mentions anyone", () => {
    expect(text).not.toMatch(/<font|\*\*bold|\[click\]|https:\/\/evil|`z`|_x_|\n# h/);
    expect(text).toContain("&lt;font color=red&gt;x&lt;/font&gt; &#42;&#42;bold&#42;&#42;");
    expect(text).toContain("&#45; not a list");
    expect(text).toContain("[Read](https://baton.example.com/a)");
    expect(JSON.stringify(message)).not.toContain("javascript:");
    expect(message).not.toHaveProperty("at");
  });

  it("keeps button titles and the notification title as plain text", () => {
    expect(buttonsOf(message).map((b) => b.title)).toEqual([evil, evil, evil]);
    expect(message.msgtype === "actionCard" && message.actionCard.title).toBe(`Notice from ${evil}`);
  });
});

describe("DingTalk Markdown", () => {
  it.each([
    ["<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"],
    ["**b** _i_ ~~s~~ `c`", "&#42;&#42;b&#42;&#42; &#95;i&#95; &#126;&#126;s&#126;&#126; &#96;c&#96;"],
    ["[x](https://e.example)", "&#91;x&#93;(https&#58;//e.example)"],
    ["# heading", "&#35; heading"],
    ["> quote", "&gt; quote"],
    ["- item", "&#45; item"],
    ["1. item", "1&#46; item"],
    ["2026-03-02 10:00 9000.00 -5", "2026-03-02 10:00 9000.00 -5"],
    ["---", "&#45;--"],
    ["two\nlines", "two  \nlines"],
  ])("escapes %j", (text, escaped) => {
    expect(escapeDingTalkMarkdown(text)).toBe(escaped);
  });

  it("turns the card's light Markdown into DingTalk's, with hard line breaks", () => {
    expect(
      markdownToDingTalk("# Title\n**Bold** and [link](https://baton.example.com/x)\n\n- one\n- two"),
    ).toBe("**Title**  \n**Bold** and [link](https://baton.example.com/x)\n\n- one  \n- two");
  });
});

describe("DingTalk messages and limits", () => {
  it("is markdown without buttons, a single-button action card with one, btns with more", () => {
    const plain = renderDingTalkMessage(Card({ title: "T", tone: "info" }, [Text("hi")]));
    expect(plain).toEqual({ msgtype: "markdown", markdown: { title: "T", text: "### T\n\nhi" } });
    expect(toRobotOpenApiMessage(plain)).toEqual({
      msgKey: "sampleMarkdown",
      msgParam: JSON.stringify({ title: "T", text: "### T\n\nhi" }),
    });
    const many = renderDingTalkMessage(
      Card({ title: "T", tone: "success" }, [
        Actions([
          Button("A", "a"),
          Button("B", "b", { value: "2" }),
          LinkButton("C", "https://baton.example.com/c"),
        ]),
      ]),
      { linkFor, sidebar: false },
    );
    expect(many.msgtype === "actionCard" && many.actionCard).toMatchObject({
      text: "### ✅ T",
      btnOrientation: "0",
      btns: [{ title: "A" }, { title: "B" }, { title: "C", actionURL: "https://baton.example.com/c" }],
    });
    const openApi = toRobotOpenApiMessage(many);
    expect(openApi.msgKey).toBe("sampleActionCard3");
    expect(JSON.parse(openApi.msgParam)).toMatchObject({
      actionTitle1: "A",
      actionTitle3: "C",
      actionURL3: "https://baton.example.com/c",
    });
  });

  it("refuses more buttons than the OpenAPI templates carry", () => {
    const six = renderDingTalkMessage(
      Card({ title: "T", tone: "info" }, [
        Actions(Array.from({ length: 6 }, (_, i) => Button(`B${i}`, `b${i}`))),
      ]),
      { linkFor },
    );
    expect(() => toRobotOpenApiMessage(six)).toThrow(/at most 5/);
  });

  it("refuses a card larger than the message limit", () => {
    const huge = Card(
      { title: "x", tone: "info" },
      Array.from({ length: 60 }, () => Text("长".repeat(100))),
    );
    expect(() => renderDingTalkMessage(huge)).toThrow(/bytes as a DingTalk message/);
  });

  it("builds the custom robot's body, adding its security keyword when the card lacks it", () => {
    const card = templateExamples
      .find((e) => e.name === "hr-alert")!
      .render({ locale: "zh-CN", t: translate });
    const body = renderCustomRobotMessage(card, { linkFor, keyword: "Baton" });
    expect(textOf(body).endsWith("\n\nBaton")).toBe(true);
    expect(renderCustomRobotMessage(card, { linkFor, keyword: card.header.title })).toEqual(
      renderDingTalkMessage(card, { linkFor }),
    );
    expect(renderCustomRobotMessage(card, { linkFor })).toEqual(renderDingTalkMessage(card, { linkFor }));
  });
});
