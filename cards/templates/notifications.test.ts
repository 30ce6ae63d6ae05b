import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { translate } from "../../core/messages/index.ts";
import { foldedKind } from "../../core/notifications/delivery.ts";
import { offboardingNotificationKinds } from "../../core/offboarding/case.ts";
import { fallbackText } from "../fallback-text.ts";
import { notificationExamples } from "./examples.ts";
import { cardForNotification, notificationKinds } from "./notifications.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Dotted kinds that go to outside systems through connectors, never to people: no card. */
const connectorKinds = ["connector.crm.handover", "connector.finance.settlement-check"];

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((entry) => {
    const relative = `${dir}/${entry}`;
    if (entry === "node_modules" || entry === "migrations") return [];
    if (statSync(path.join(root, relative)).isDirectory()) return sources(relative);
    return /\.ts$/.test(entry) && !/\.test\.ts$/.test(entry) ? [relative] : [];
  });
}

/** Every dotted notification kind written in core, db and adapters (`kind: "…"`, the reminders' `daily("…")`). */
function kindsInSource(): string[] {
  const found = new Set<string>();
  for (const file of ["core", "db", "adapters"].flatMap(sources)) {
    const text = readFileSync(path.join(root, file), "utf8");
    for (const m of text.matchAll(/\bkind:\s*"([a-z-]+(?:\.[a-z-]+)+)"/g)) found.add(m[1] as string);
    for (const m of text.matchAll(/\bdaily\(\s*"([a-z-]+(?:\.[a-z-]+)+)"/g)) found.add(m[1] as string);
  }
  return [...found].filter((k) => !connectorKinds.includes(k)).sort();
}

describe("cards for notifications", () => {
  it("has a template for every notification kind found in the code base", () => {
    const found = kindsInSource();
    expect(found.length).toBeGreaterThan(20);
    expect(found.filter((k) => !(notificationKinds as readonly string[]).includes(k))).toEqual([]);
    expect(
      [...offboardingNotificationKinds, foldedKind].filter(
        (k) => !(notificationKinds as readonly string[]).includes(k),
      ),
    ).toEqual([]);
  });

  it("lists no kind the code base no longer emits", () => {
    const emitted = new Set([...kindsInSource(), foldedKind]);
    expect(notificationKinds.filter((k) => !emitted.has(k))).toEqual([]);
  });

  it.each(notificationKinds.map((k) => [k]))("%s gets its own card, not the generic one", (kind) => {
    const ctx = { locale: "en" as const, t: translate };
    const card = cardForNotification(kind, notificationExamples[kind], ctx);
    expect(card.header.title).not.toBe(translate("en", "card.generic.title"));
  });

  it("falls back to a generic card for an unknown kind and tolerates odd data", () => {
    const ctx = { locale: "zh-CN" as const, t: translate };
    expect(cardForNotification("brand.new", { caseId: "C-1" }, ctx).header.title).toBe(
      translate("zh-CN", "card.generic.title"),
    );
    const odd = cardForNotification(
      "step.overdue",
      { caseId: "x".repeat(500), step: { nested: true }, amount: null },
      ctx,
    );
    expect(fallbackText(odd)).toContain(translate("zh-CN", "card.notify.step.overdue.title"));
  });

  it("shows the step in the reader's language and links the certificate", () => {
    const en = fallbackText(
      cardForNotification("step.due", notificationExamples["step.due"], { locale: "en", t: translate }),
    );
    expect(en).toContain("Step: Handover");
    const cert = fallbackText(
      cardForNotification("certificate.issued", notificationExamples["certificate.issued"], {
        locale: "zh-CN",
        t: translate,
      }),
    );
    expect(cert).toContain("下载 PDF: https://baton.example.com/d/abc");
  });
});
