import { describe, expect, it } from "vitest";
import type { CardNode } from "../../cards/model.ts";
import type { NotificationSender, OutgoingMessage } from "../../core/notifications/delivery.ts";
import { type WebChatStore, webPersonSender } from "./send.ts";

function message(outboxId: number, recipient: OutgoingMessage["recipient"]): OutgoingMessage {
  const item = {
    outboxId,
    kind: "step.reminder",
    recipient,
    destination: recipient.type === "person" ? `person:${recipient.principal}` : "system:crm",
    data: { caseId: "C-1", step: "handover", dueDate: "2026-03-27" },
    dedupeKey: `d${outboxId}`,
    urgency: "normal" as const,
    createdAt: new Date(),
  };
  return {
    kind: item.kind,
    recipient,
    destination: item.destination,
    data: item.data,
    urgency: "normal",
    items: [item],
  };
}

describe("web person sender", () => {
  function setup() {
    const stored = new Map<string, { principal: string; card: CardNode; kind: string }>();
    const store: WebChatStore = {
      async deliver(input) {
        const existing = [...stored.keys()].indexOf(`${input.principal}|${input.sourceKey}`);
        if (existing >= 0) return { id: existing + 1, created: false };
        stored.set(`${input.principal}|${input.sourceKey}`, input);
        return { id: stored.size, created: true };
      },
      localeOf: async (principal) => (principal.endsWith("E2") ? "en" : "zh-CN"),
    };
    const forwarded: OutgoingMessage[] = [];
    const next: NotificationSender = {
      async send(m) {
        forwarded.push(m);
        return { reference: `sink:${forwarded.length}` };
      },
    };
    return { stored, forwarded, sender: webPersonSender(store, next) };
  }

  it("puts a person's notification in their web chat once, in their language, and passes it on", async () => {
    const { stored, forwarded, sender } = setup();
    const m = message(5, { type: "person", principal: "employee:E2" });
    expect(await sender.send(m)).toEqual({ reference: "sink:1" });
    await sender.send(m); // a retry of the same outbox row
    expect(stored.size).toBe(1);
    const [entry] = [...stored.entries()];
    expect(entry?.[0]).toBe("employee:E2|outbox:5");
    expect(entry?.[1].kind).toBe("step.reminder");
    expect(JSON.stringify(entry?.[1].card)).toContain("C-1");
    expect(entry?.[1].card.header.title).toMatch(/[A-Za-z]/);
    expect(forwarded).toHaveLength(2);
  });

  it("leaves other recipients to the next sender", async () => {
    const { stored, forwarded, sender } = setup();
    await sender.send(message(6, { type: "system", system: "crm" } as OutgoingMessage["recipient"]));
    expect(stored.size).toBe(0);
    expect(forwarded).toHaveLength(1);
  });
});
