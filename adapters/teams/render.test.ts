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
import {
  executeActions,
  executeInvoke,
  submitMessage,
  validateAdaptiveCard,
} from "../../test/fakes/teams.ts";
import { exampleCardCases, sampleValues } from "../../test/helpers/example-cards.ts";
import { expectGolden } from "../../test/helpers/golden.ts";
import { parseTeamsActivity } from "./parse.ts";
import {
  maxCardBytes,
  renderActivity,
  renderAdaptiveCard,
  renderInvokeCard,
  renderInvokeError,
  renderInvokeMessage,
  renderSearchResponse,
} from "./render.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const goldenDir = fileURLToPath(new URL("../../test/golden/teams/", import.meta.url));
const cases = exampleCardCases;
/** Typed into every text input: markup this surface would act on, which must stay text. */
const typed = "Typed: <at>Everyone</at> **bold** [x](https://evil.example) 离职";

type Json = Record<string, unknown>;

/** The neutral buttons and submits of a card, in order. */
function buttonNodes(card: CardNode): (ButtonNode | SubmitNode)[] {
  return card.children.flatMap((c): (ButtonNode | SubmitNode)[] =>
    c.type === "actions"
      ? c.elements.filter((e): e is ButtonNode => e.type === "button")
      : c.type === "submit"
        ? [c]
        : [],
  );
}

function parseAction(activity: Json): ActionEvent {
  const result = parseTeamsActivity(activity, { now });
  if (result.kind !== "events" || result.events[0]?.type !== "action")
    throw new Error(`not an action: ${result.kind}`);
  return result.events[0];
}

/** Every string value anywhere in the card under `key`. */
function valuesOf(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesOf(v, key));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => (k === key ? [v] : []).concat(valuesOf(v, key)));
  return [];
}

describe("Adaptive Card rendering of every example card", () => {
  it.each(cases)(
    "%s (%s) matches its golden file and passes the adaptivecards parser",
    (name, locale, card) => {
      const rendered = renderAdaptiveCard(card);
      expect(validateAdaptiveCard(rendered)).toEqual([]);
      expect(rendered.version).toBe("1.5");
      expect(new TextEncoder().encode(JSON.stringify(rendered)).length).toBeLessThanOrEqual(maxCardBytes);
      // Text is never in TextBlocks or FactSets, where Teams would read it as Markdown.
      expect(valuesOf(rendered, "type")).not.toContain("TextBlock");
      expect(valuesOf(rendered, "type")).not.toContain("FactSet");
      expectGolden(`${goldenDir}${name}.${locale}.json`, rendered);
    },
  );

  it.each(cases)(
    "%s (%s): every click parses back into its neutral action, value and form",
    (_n, _l, card) => {
      const rendered = renderAdaptiveCard(card) as unknown as Json;
      const actions = executeActions(rendered);
      const nodes = buttonNodes(card);
      expect(actions).toHaveLength(nodes.length);
      const values = sampleValues(card, typed);
      nodes.forEach((node, i) => {
        const action = actions[i]!;
        for (const activity of [executeInvoke(action, values), submitMessage(action, values)]) {
          const event = parseAction(activity);
          expect(event.action).toBe(node.action);
          expect(event.value).toBe(node.value);
          expect(event.form).toEqual(values);
          expect(event.sourceMessageId).toBe("1772410400000");
          expect(event.where.chatType).toBe("direct");
        }
      });
    },
  );

  it.each(cases)("%s (%s): each confirmation is asked before the action runs", (_n, _l, card) => {
    const rendered = renderAdaptiveCard(card) as unknown as Json;
    const showCards = valuesOf(rendered, "actions")
      .flat()
      .filter((a): a is Json => (a as Json).type === "Action.ShowCard");
    const confirmed = buttonNodes(card).filter((n) => n.confirm);
    expect(showCards.map((s) => s.title)).toEqual(confirmed.map((n) => n.label));
    showCards.forEach((showCard, i) => {
      const inner = showCard.card as Json;
      const texts = valuesOf(inner.body, "text");
      expect(texts).toEqual(
        expect.arrayContaining([confirmed[i]!.confirm!.title, confirmed[i]!.confirm!.text]),
      );
      expect(executeActions(inner)[0]).toMatchObject({
        title: confirmed[i]!.confirm!.confirm,
        verb: confirmed[i]!.action,
      });
    });
  });
});

describe("user text in Teams", () => {
  const evil = "<at>Everyone</at> **bold** [click](https://evil.example) _x_ <b>html</b>";
  const card = Card({ title: `Notice from ${evil}`, subtitle: evil, tone: "danger" }, [
    Text(evil),
    Markdown(
      `Name: ${escapeMarkdown(evil)} — [Read](https://baton.example.com/a) [bad](javascript:alert(1))`,
    ),
    Fields([{ label: evil, value: evil }]),
    Divider(),
    TextInput("name", evil, { initial: evil, required: true }),
    Actions([Button(evil, "case.status", { value: "C-1" }), LinkButton(evil, "https://baton.example.com/x")]),
  ]);
  const rendered = renderAdaptiveCard(card);

  it("shows user text exactly as typed, in text runs that Teams never reads as Markdown", () => {
    expect(validateAdaptiveCard(rendered)).toEqual([]);
    const runs = valuesOf(rendered.body, "inlines").flat() as Json[];
    expect(runs.every((r) => r.type === "TextRun")).toBe(true);
    const runTexts = runs.map((r) => r.text);
    expect(runTexts).toContain(evil);
    expect(runTexts).toContain(`Notice from ${evil}`);
    // The escaped user text inside the template's Markdown comes out as the literal text.
    expect(runTexts).toContain(`Name: ${evil} — `);
  });

  it("links only where the card's own Markdown links, and only to http(s)", () => {
    const urls = valuesOf(rendered.body, "selectAction").map((a) => (a as Json).url);
    expect(urls).toEqual(["https://baton.example.com/a"]);
    expect(JSON.stringify(rendered.body)).not.toContain("javascript:");
    expect(valuesOf(rendered.body, "url")).toEqual([
      "https://baton.example.com/a",
      "https://baton.example.com/x",
    ]);
  });

  it("puts the divider on the next element and uses the label as a required input's error message", () => {
    const input = rendered.body.find((e) => e.type === "Input.Text")!;
    expect(input).toMatchObject({ separator: true, isRequired: true, errorMessage: evil, value: evil });
  });
});

describe("Adaptive Card inputs", () => {
  it("renders a searching person picker with Data.Query, and multi-selects comma-separated", () => {
    const card = Card({ title: "Pick", tone: "info" }, [
      PersonInput("receiver", "Receiver", {
        people: [{ label: "Han Meimei", value: "employee:E1002" }],
        searchAction: "directory.search",
        required: true,
      }),
      ChoiceInput(
        "done",
        "Done",
        [
          { label: "A", value: "a" },
          { label: "B", value: "b" },
        ],
        { multiple: true, initial: ["a", "b"] },
      ),
      Submit("OK", "x.ok", { value: "C-1" }),
    ]);
    const rendered = renderAdaptiveCard(card);
    expect(validateAdaptiveCard(rendered)).toEqual([]);
    expect(rendered.body.find((e) => e.id === "receiver")).toMatchObject({
      type: "Input.ChoiceSet",
      style: "filtered",
      choices: [{ title: "Han Meimei", value: "employee:E1002" }],
      "choices.data": { type: "Data.Query", dataset: "directory.search" },
    });
    expect(rendered.body.find((e) => e.id === "done")).toMatchObject({ isMultiSelect: true, value: "a,b" });
    const [execute] = executeActions(rendered as unknown as Json);
    expect(execute).toMatchObject({
      verb: "x.ok",
      data: { _baton: { action: "x.ok", value: "C-1", multi: ["done"] } },
      fallback: { type: "Action.Submit" },
    });
  });

  it("refuses values a multi-select could not bring back, and input ids that clash with ours", () => {
    const comma = Card({ title: "x", tone: "info" }, [
      ChoiceInput("c", "C", [{ label: "a", value: "a,b" }], { multiple: true }),
    ]);
    expect(() => renderAdaptiveCard(comma)).toThrow(/comma/);
    expect(() => renderAdaptiveCard(Card({ title: "x", tone: "info" }, [TextInput("_baton", "x")]))).toThrow(
      /not allowed/,
    );
    expect(() => renderAdaptiveCard(Card({ title: "x", tone: "info" }, [TextInput("msteams", "x")]))).toThrow(
      /not allowed/,
    );
  });

  it("refuses a card larger than Teams should carry", () => {
    const huge = Card(
      { title: "x", tone: "info" },
      Array.from({ length: 400 }, () => Text("长".repeat(100))),
    );
    expect(() => renderAdaptiveCard(huge)).toThrow(/bytes/);
  });

  it("shows what the validator would catch (it is not a rubber stamp)", () => {
    expect(validateAdaptiveCard({ type: "AdaptiveCard", version: "1.5", body: [{ type: "Bogus" }] })).toEqual(
      [expect.stringMatching(/UnknownElementType/)],
    );
    expect(
      validateAdaptiveCard({
        type: "AdaptiveCard",
        version: "1.5",
        body: [{ type: "Input.Text", id: "a", isRequired: true }],
      }).join(),
    ).toMatch(/RequiredInputsShouldHaveErrorMessage/);
  });
});

describe("what goes back to Teams", () => {
  const card = templateExamples[1]!.render({ locale: "en", t: translate });

  it("wraps a card in a message activity", () => {
    const activity = renderActivity(card);
    expect(activity).toMatchObject({
      type: "message",
      summary: card.header.title,
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive" }],
    });
  });

  it("answers an adaptiveCard/action with the card that replaces the clicked one", () => {
    expect(renderInvokeCard(card)).toEqual({
      status: 200,
      body: {
        statusCode: 200,
        type: "application/vnd.microsoft.card.adaptive",
        value: renderAdaptiveCard(card),
      },
    });
    expect(renderInvokeMessage("Saved")).toEqual({
      status: 200,
      body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: "Saved" },
    });
    expect(renderInvokeError(400, "not_allowed", "Only the manager")).toEqual({
      status: 200,
      body: {
        statusCode: 400,
        type: "application/vnd.microsoft.error",
        value: { code: "not_allowed", message: "Only the manager" },
      },
    });
  });

  it("answers a typeahead search with at most 15 results", () => {
    const options = Array.from({ length: 20 }, (_, i) => ({ label: `P${i}`, value: `employee:E${i}` }));
    const answer = renderSearchResponse(options);
    expect(answer.body.type).toBe("application/vnd.microsoft.search.searchResponse");
    expect(answer.body.value.results).toHaveLength(15);
    expect(answer.body.value.results[0]).toEqual({ title: "P0", value: "employee:E0" });
  });
});
