import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ActionEvent } from "../../bots/events.ts";
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
  PersonInput,
  Submit,
  type SubmitNode,
  Text,
  TextInput,
} from "../../cards/model.ts";
import { escapeMarkdown } from "../../cards/templates/context.ts";
import {
  blockActionsPayload,
  clickables,
  interactionRequest,
  viewSubmissionPayload,
} from "../../test/fakes/slack.ts";
import { exampleCardCases, sampleValues } from "../../test/helpers/example-cards.ts";
import { expectGolden } from "../../test/helpers/golden.ts";
import { checkMessage, checkModal, slackLimits } from "./limits.ts";
import { parseSlackRequest } from "./parse.ts";
import {
  markdownToMrkdwn,
  renderMessage,
  renderModal,
  renderSuggestions,
  renderViewErrors,
  type SlackBlock,
} from "./render.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const goldenDir = fileURLToPath(new URL("../../test/golden/slack/", import.meta.url));
const cases = exampleCardCases;
/** Typed into every text input: markup this surface would act on, which must stay text. */
const typed = "Typed: <!here> <@U0BOSS> & *bold* 离职";

const hasSubmit = (card: CardNode) => card.children.some((c) => c.type === "submit");

/** The neutral buttons, submits and link buttons of a card, in the order they are rendered. */
function clickableNodes(card: CardNode): (ButtonNode | LinkButtonNode | SubmitNode)[] {
  return card.children.flatMap((c): (ButtonNode | LinkButtonNode | SubmitNode)[] =>
    c.type === "actions" ? c.elements : c.type === "submit" ? [c] : [],
  );
}

function parseAction(payload: unknown): ActionEvent {
  const result = parseSlackRequest(interactionRequest(payload, now), { now });
  if (result.kind !== "events" || result.events[0]?.type !== "action")
    throw new Error(`not an action: ${result.kind}`);
  return result.events[0];
}

function texts(blocks: SlackBlock[], type: "mrkdwn" | "plain_text"): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      const v = value as Record<string, unknown>;
      if (v.type === type && typeof v.text === "string") found.push(v.text);
      Object.values(v).forEach(visit);
    }
  };
  visit(blocks);
  return found;
}

describe("Block Kit rendering of every example card", () => {
  it.each(cases)("%s (%s) matches its golden file and fits Slack's limits", (name, locale, card) => {
    const message = renderMessage(card);
    expect(checkMessage(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(slackLimits.messageBlocks);
    const modal = hasSubmit(card)
      ? renderModal(card, "baton", { chatId: "D0LILEI", chatType: "direct" })
      : undefined;
    if (modal) {
      expect(checkModal(modal)).toEqual([]);
      expect(modal.blocks.length).toBeLessThanOrEqual(slackLimits.modalBlocks);
    }
    expect(message.blocks[0]).toMatchObject({ type: "header" });
    expect(message.text.length).toBeGreaterThan(0);
    expectGolden(`${goldenDir}${name}.${locale}.json`, modal ? { message, modal } : { message });
  });

  it.each(cases)(
    "%s (%s): every click parses back into its neutral action, value and form",
    (_n, _l, card) => {
      const message = renderMessage(card);
      const nodes = clickableNodes(card);
      const elements = clickables(message.blocks);
      expect(elements).toHaveLength(nodes.length);
      const values = sampleValues(card, typed);
      nodes.forEach((node, i) => {
        const element = elements[i]!.element;
        if (node.type === "link-button") {
          expect(element.url).toBe(node.url);
          const result = parseSlackRequest(
            interactionRequest(blockActionsPayload(message, element, {}), now),
            { now },
          );
          expect(result.kind).toBe("ignored");
          return;
        }
        const event = parseAction(blockActionsPayload(message, element, values));
        expect(event.action).toBe(node.action);
        expect(event.value).toBe(node.value);
        expect(event.form).toEqual(values);
        expect(event.where).toEqual({ chatId: "D0LILEI", chatType: "direct" });
        expect(event.sourceMessageId).toBe("1772410500.000100");
      });
    },
  );

  it.each(cases.filter(([, , card]) => hasSubmit(card)))(
    "%s (%s): the modal's submission parses back into the submit's action, value and form",
    (_n, _l, card) => {
      const submit = card.children.find((c) => c.type === "submit")!;
      const view = renderModal(card, "baton", {
        chatId: "C0HROPS",
        chatType: "group",
        sourceMessageId: "17.1",
      });
      const values = sampleValues(card, typed);
      const event = parseAction(viewSubmissionPayload(view, values));
      expect(event.action).toBe(submit.type === "submit" && submit.action);
      expect(event.value).toBe(submit.type === "submit" ? submit.value : undefined);
      expect(event.form).toEqual(values);
      expect(event.where).toEqual({ chatId: "C0HROPS", chatType: "group" });
      expect(event.sourceMessageId).toBe("17.1");
    },
  );
});

describe("user text in Slack", () => {
  const evil = "<!here> <@U0BOSS> <https://evil.example|click> & <#C1|x>";
  const card = Card({ title: `Notice from ${evil}`, subtitle: evil, tone: "danger" }, [
    Text(evil),
    Markdown(
      `Name: ${escapeMarkdown(evil)} — [Read](https://baton.example.com/a?x=1&y=2) [bad](javascript:alert(1))`,
    ),
    Fields([{ label: evil, value: evil }]),
    TextInput("name", evil, { placeholder: evil, initial: evil }),
    Actions([Button(evil, "case.status", { value: "C-1" }), LinkButton(evil, "https://baton.example.com/x")]),
  ]);
  const message = renderMessage(card);

  it("never sends user text as mrkdwn markup that could ping or link", () => {
    for (const text of [...texts(message.blocks, "mrkdwn"), message.text]) {
      const markup = text.match(/<[^>]*>/g) ?? [];
      expect(markup, text).toEqual(markup.length ? ["<https://baton.example.com/a?x=1&amp;y=2|Read>"] : []);
      expect(text).not.toContain("<!here>");
      expect(text).not.toContain("<@U0BOSS>");
    }
    expect(texts(message.blocks, "mrkdwn").join("\n")).toContain("&lt;!here&gt; &lt;@U0BOSS&gt;");
    // The unsafe link is shown as its label; only the fallback text names its address, as text.
    expect(JSON.stringify(message.blocks)).not.toContain("javascript:");
  });

  it("marks every mrkdwn text verbatim, so Slack does not auto-link URLs or #channels", () => {
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object") {
        const v = value as Record<string, unknown>;
        if (v.type === "mrkdwn") expect(v.verbatim).toBe(true);
        Object.values(v).forEach(visit);
      }
    };
    visit(message.blocks);
  });

  it("keeps plain text exactly as typed (plain_text is never parsed)", () => {
    expect(texts(message.blocks, "plain_text")).toContain(evil);
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: `:no_entry: Notice from ${evil}`, emoji: true },
    });
  });
});

describe("light Markdown → mrkdwn", () => {
  it.each([
    ["**bold** and *it* and `code`", "*bold* and _it_ and `code`"],
    ["[Read](https://baton.example.com/x|y)", "<https://baton.example.com/x%7Cy|Read>"],
    ["[bad](javascript:alert(1))", "bad"],
    ["# Title", "*Title*"],
    ["- one", "• one"],
    ["2. two", "2. two"],
    ["\\*not bold\\* a_b_c", "*not bold* a_b_c"],
    ["a < b & c > d", "a &lt; b &amp; c &gt; d"],
    ["**<!here>**", "*&lt;!here&gt;*"],
  ])("%s → %s", (markdown, mrkdwn) => {
    expect(markdownToMrkdwn(markdown).join("\n")).toBe(mrkdwn);
  });
});

describe("fitting cards into Block Kit", () => {
  it("splits a row of many buttons into actions blocks of at most 25", () => {
    const buttons = Array.from({ length: 60 }, (_, i) => Button(`B${i}`, "lesson.page", { value: `p:${i}` }));
    const message = renderMessage(Card({ title: "Pages", tone: "info" }, [Actions(buttons)]));
    const actions = message.blocks.filter((b) => b.type === "actions");
    expect(actions.map((b) => (b.elements as unknown[]).length)).toEqual([25, 25, 10]);
    const ids = actions.flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));
    expect(new Set(ids).size).toBe(60);
  });

  it("splits long text into sections of at most 3000 characters, and many fields into sections of 10", () => {
    const line = `${"离职交接".repeat(50)} & <x>`;
    const long = Array.from({ length: 40 }, () => line).join("\n");
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `L${i}`, value: `V${i}` }));
    const message = renderMessage(
      Card({ title: "Long", tone: "info" }, [Text(long), Markdown(long), Fields(fields)]),
    );
    expect(checkMessage(message)).toEqual([]);
    const sections = message.blocks.filter((b) => b.type === "section");
    const plainParts = sections.flatMap((b) =>
      b.text && (b.text as { type: string }).type === "plain_text" ? [(b.text as { text: string }).text] : [],
    );
    expect(plainParts.join("\n")).toBe(long);
    expect(sections.filter((b) => b.fields).map((b) => (b.fields as unknown[]).length)).toEqual([10, 10, 3]);
  });

  it("cuts over-long labels and titles to Slack's limits with an ellipsis", () => {
    const long = "长".repeat(400);
    const card = Card({ title: long, tone: "info" }, [
      Actions([Button(long, "x.y", { confirm: { title: long, text: long, confirm: long, deny: long } })]),
      ChoiceInput("c", long, [{ label: long, value: "a" }]),
      Submit(long, "x.z"),
    ]);
    const message = renderMessage(card);
    expect(checkMessage(message)).toEqual([]);
    const header = message.blocks[0]!.text as { text: string };
    expect(header.text).toHaveLength(slackLimits.headerText);
    expect(header.text.endsWith("…")).toBe(true);
    const modal = renderModal(card, "baton");
    expect(checkModal(modal)).toEqual([]);
    expect(modal.title.text).toHaveLength(slackLimits.modalTitle);
    // The full title stays visible inside the modal.
    expect(modal.blocks[0]).toMatchObject({ type: "header" });
  });

  it("refuses a card that cannot fit (more than 50 blocks in a message)", () => {
    const card = Card(
      { title: "Too long", tone: "info" },
      Array.from({ length: 60 }, () => Divider()),
    );
    expect(() => renderMessage(card)).toThrow(/Block Kit limits/);
    expect(() => renderModal(card, "baton")).not.toThrow();
  });

  it("refuses option values longer than Slack carries (they could not come back exactly)", () => {
    const card = Card({ title: "x", tone: "info" }, [
      ChoiceInput("c", "C", [{ label: "a", value: "v".repeat(76) }]),
    ]);
    expect(() => renderMessage(card)).toThrow(/longer than 75/);
  });

  it("renders a person picker that searches as an external_select naming the search action", () => {
    const card = Card({ title: "x", tone: "info" }, [
      PersonInput("receiver", "Receiver", { searchAction: "directory.search", multiple: true }),
      Submit("OK", "x.ok"),
    ]);
    const input = renderMessage(card).blocks.find((b) => b.type === "input")!;
    expect(input.element).toEqual({
      type: "multi_external_select",
      action_id: "in:receiver:directory.search",
      min_query_length: 1,
    });
  });

  it("gives input blocks a new id per revision, so an updated message shows its new initial values", () => {
    const card = Card({ title: "x", tone: "info" }, [TextInput("name", "Name"), Submit("OK", "x.ok")]);
    expect(renderMessage(card, { revision: "2" }).blocks.find((b) => b.type === "input")!.block_id).toBe(
      "in:name:2",
    );
  });

  it("shows a choice with nothing to choose as its label only", () => {
    const card = Card({ title: "x", tone: "info" }, [PersonInput("p", "Receiver"), Submit("OK", "x.ok")]);
    expect(renderMessage(card).blocks[1]).toEqual({
      type: "context",
      elements: [{ type: "plain_text", text: "Receiver", emoji: true }],
    });
  });

  it("refuses a modal for a card with inputs but no submit", () => {
    expect(() => renderModal(Card({ title: "x", tone: "info" }, [TextInput("a", "A")]), "baton")).toThrow(
      /no submit/,
    );
  });
});

describe("answers to Slack", () => {
  it("renders search results for an external_select, at most 100", () => {
    const options = Array.from({ length: 120 }, (_, i) => ({
      label: `Person ${i} <@U1>`,
      value: `employee:E${i}`,
    }));
    const answer = renderSuggestions(options);
    expect(answer.options).toHaveLength(100);
    expect(answer.options[0]).toEqual({
      text: { type: "plain_text", text: "Person 0 <@U1>", emoji: true },
      value: "employee:E0",
    });
  });

  it("renders modal errors against the input blocks", () => {
    const view = renderModal(
      Card({ title: "x", tone: "info" }, [TextInput("fullName", "Name"), Submit("Sign", "agreement.sign")]),
      "baton",
    );
    const errors = renderViewErrors({ fullName: "Type your full name" });
    expect(errors).toEqual({ response_action: "errors", errors: { "in:fullName": "Type your full name" } });
    expect(view.blocks.map((b) => b.block_id)).toContain("in:fullName");
  });
});
