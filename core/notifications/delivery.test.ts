import { describe, expect, it } from "vitest";
import { foldChannelItems, foldedKind, type OutboxItem, recipientTypeOf } from "./delivery.ts";
import { destinationOf } from "./notification.ts";

const item = (outboxId: number, overrides: Partial<OutboxItem> = {}): OutboxItem => ({
  outboxId,
  kind: "hr.alert",
  recipient: { type: "channel", purpose: "hr" },
  destination: "channel:hr:*",
  data: { n: outboxId },
  dedupeKey: `k${outboxId}`,
  urgency: "normal",
  createdAt: new Date(0),
  ...overrides,
});

describe("folding channel alerts", () => {
  it("sends one row as itself and several as one message listing them all", () => {
    expect(foldChannelItems([item(1)])).toMatchObject({ kind: "hr.alert", data: { n: 1 } });
    const folded = foldChannelItems([item(1), item(2, { urgency: "legal", kind: "step.escalated" })]);
    expect(folded).toMatchObject({
      kind: foldedKind,
      urgency: "legal",
      data: {
        count: 2,
        items: [
          { outboxId: 1, kind: "hr.alert", urgency: "normal", data: { n: 1 } },
          { outboxId: 2, kind: "step.escalated", urgency: "legal", data: { n: 2 } },
        ],
      },
    });
    expect(folded.items).toHaveLength(2);
  });

  it("refuses to fold personal messages, connector calls or two destinations", () => {
    const person = item(1, {
      recipient: { type: "person", principal: "employee:E1" },
      destination: "person:employee:E1",
    });
    expect(() => foldChannelItems([person, { ...person, outboxId: 2 }])).toThrow(RangeError);
    expect(() => foldChannelItems([item(1), item(2, { destination: "channel:hr:acme" })])).toThrow(
      RangeError,
    );
    expect(() => foldChannelItems([])).toThrow(RangeError);
  });
});

describe("destinations", () => {
  it("name the recipient type first, and a single binding after its scope", () => {
    expect(destinationOf({ type: "channel", purpose: "hr" })).toBe("channel:hr:*");
    expect(destinationOf({ type: "channel", purpose: "hr", entityId: "acme" })).toBe("channel:hr:acme");
    expect(destinationOf({ type: "channel", purpose: "hr", bindingId: "b1" })).toBe("channel:hr:*:b1");
    expect(recipientTypeOf("person:employee:E1")).toBe("person");
    expect(recipientTypeOf("system:crm")).toBe("system");
    expect(() => recipientTypeOf("fax:123")).toThrow(RangeError);
  });
});
