import { describe, expect, it } from "vitest";
import {
  Actions,
  Button,
  Card,
  ChoiceInput,
  DateInput,
  Divider,
  Fields,
  LinkButton,
  maxValueLength,
  PersonInput,
  Submit,
  Text,
  TextInput,
  walk,
} from "./model.ts";

describe("card model builders", () => {
  it("build a tree tagged by type, dropping absent children and empty fields", () => {
    const card = Card({ title: "T", tone: "info" }, [
      Text("hello"),
      false,
      undefined,
      Fields([{ label: "a", value: "1" }, { label: "b", value: "" }, undefined]),
      Divider(),
      Actions([
        Button("Go", "case.open", { value: "C-1", style: "primary" }),
        LinkButton("Web", "https://x.example"),
      ]),
    ]);
    expect(card.children.map((c) => c.type)).toEqual(["text", "fields", "divider", "actions"]);
    expect(card.children[1]).toEqual({ type: "fields", fields: [{ label: "a", value: "1" }] });
    expect(walk(card).map((n) => n.type)).toEqual([
      "card",
      "text",
      "fields",
      "divider",
      "actions",
      "button",
      "link-button",
    ]);
  });

  it("give inputs their defaults", () => {
    expect(TextInput("r", "Reason")).toEqual({
      type: "text-input",
      id: "r",
      label: "Reason",
      multiline: false,
      required: false,
    });
    expect(ChoiceInput("c", "C", [{ label: "x", value: "1" }], { multiple: true }).multiple).toBe(true);
    expect(DateInput("d", "D", { min: "2026-01-01" })).toMatchObject({ required: false, min: "2026-01-01" });
    expect(Submit("Send", "form.send").style).toBe("primary");
  });

  it("marks a person picker for search when the list is large", () => {
    expect(PersonInput("p", "Who").search).toEqual({ mode: "local" });
    expect(PersonInput("p", "Who", { searchAction: "directory.search" }).search).toEqual({
      mode: "remote",
      action: "directory.search",
    });
  });

  it("refuses a button value longer than the limit", () => {
    expect(() => Button("x", "a", { value: "v".repeat(maxValueLength) })).toThrow(/max 200/);
    expect(() => Submit("x", "a", { value: "v".repeat(maxValueLength) })).toThrow(/max 200/);
    expect(Button("x", "a", { value: "v".repeat(maxValueLength - 1) }).value).toHaveLength(199);
  });
});
