import { describe, expect, it } from "vitest";
import { locales, translate } from "../core/messages/index.ts";
import { fallbackText } from "./fallback-text.ts";
import {
  Actions,
  Button,
  Card,
  ChoiceInput,
  Divider,
  Fields,
  LinkButton,
  Markdown,
  PersonInput,
  Submit,
  TextInput,
} from "./model.ts";
import { escapeMarkdown } from "./templates/context.ts";
import { notificationCardExamples, templateExamples } from "./templates/examples.ts";

describe("fallback text", () => {
  it("drops the backslashes escapeMarkdown added, keeping the characters as written", () => {
    const name = escapeMarkdown("**Li** [x](y) #1 > a_b \\ `c`");
    const text = fallbackText(Card({ title: "T", tone: "info" }, [Markdown(`**Hi** ${name}`)]));
    expect(text).toBe("T\n\nHi **Li** [x](y) #1 > a_b \\ `c`");
  });

  it("lists title, text, fields, buttons, links and inputs in order", () => {
    const card = Card({ title: "Title", subtitle: "Sub", tone: "info" }, [
      Markdown("A **bold** [link](https://x.example)"),
      Fields([{ label: "Last day", value: "2026-04-01" }]),
      Divider(),
      TextInput("name", "Full name"),
      Submit("Sign", "agreement.sign"),
      Actions([Button("Open", "case.open"), LinkButton("Read", "https://x.example/r")]),
    ]);
    expect(fallbackText(card)).toBe(
      [
        "Title",
        "Sub",
        "",
        "A bold link (https://x.example)",
        "",
        "Last day: 2026-04-01",
        "",
        "———",
        "Full name: ____",
        "[Sign]",
        "[Open]",
        "Read: https://x.example/r",
      ].join("\n"),
    );
  });

  it("lists the options of choice and person inputs", () => {
    const card = Card({ title: "T", tone: "info" }, [
      ChoiceInput(
        "c",
        "Done",
        [
          { label: "Code", value: "code" },
          { label: "Docs", value: "docs" },
        ],
        {
          multiple: true,
          initial: ["docs"],
        },
      ),
      PersonInput("p", "Receiver", { people: [{ label: "Han Meimei", value: "employee:E2" }] }),
    ]);
    expect(fallbackText(card)).toBe(
      ["T", "Done:", "[ ] Code", "[x] Docs", "Receiver: Han Meimei"].join("\n"),
    );
  });

  it.each(locales)("keeps the essential facts of every template (%s)", (locale) => {
    for (const example of [...templateExamples, ...notificationCardExamples]) {
      const text = fallbackText(example.render({ locale, t: translate }));
      for (const fact of example.facts) expect(text, `${example.name}: ${fact}`).toContain(fact);
    }
  });
});
