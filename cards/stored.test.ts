import { describe, expect, it } from "vitest";
import { translate } from "../core/messages/index.ts";
import { Actions, Button, Card, Text } from "./model.ts";
import { storedCard } from "./stored.ts";
import { notificationCardExamples, templateExamples } from "./templates/examples.ts";

describe("storedCard", () => {
  it("takes back every card the templates make, in both languages, as stored JSON", () => {
    for (const example of [...templateExamples, ...notificationCardExamples]) {
      for (const locale of ["zh-CN", "en"] as const) {
        const card = example.render({ locale, t: translate });
        const stored: unknown = JSON.parse(JSON.stringify(card));
        expect(storedCard(stored), `${example.name} (${locale})`).toEqual(card);
      }
    }
  });

  it("refuses what is not a card", () => {
    const good = JSON.parse(
      JSON.stringify(
        Card({ title: "T", tone: "info" }, [
          Text("x"),
          Actions([Button("Go", "case.status", { value: "c1" })]),
        ]),
      ),
    );
    expect(storedCard(good)).toBeDefined();
    const broken = (change: (c: Record<string, unknown>) => void) => {
      const copy = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      change(copy);
      return storedCard(copy);
    };
    expect(storedCard(null)).toBeUndefined();
    expect(storedCard("card")).toBeUndefined();
    expect(broken((c) => (c.type = "cards"))).toBeUndefined();
    expect(broken((c) => (c.header = { title: "T", tone: "loud" }))).toBeUndefined();
    expect(broken((c) => (c.children = [{ type: "toString" }]))).toBeUndefined();
    expect(broken((c) => (c.children = [{ type: "video", url: "x" }]))).toBeUndefined();
    expect(broken((c) => (c.children = [{ type: "text", text: 5, markdown: false }]))).toBeUndefined();
    expect(broken((c) => (c.children = [{ type: "divider", extra: 1 }]))).toBeUndefined();
    expect(
      broken(
        (c) =>
          (c.children = [
            { type: "actions", elements: [{ type: "link-button", label: "x", url: "javascript:alert(1)" }] },
          ]),
      ),
    ).toBeUndefined();
    expect(
      broken(
        (c) =>
          (c.children = [
            {
              type: "actions",
              elements: [{ type: "button", label: "x", action: "a".repeat(201), style: "default" }],
            },
          ]),
      ),
    ).toBeUndefined();
  });
});
