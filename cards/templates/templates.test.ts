import { describe, expect, it } from "vitest";
import { catalogues, locales, translate } from "../../core/messages/index.ts";
import { fallbackText } from "../fallback-text.ts";
import { type CardNode, maxValueLength, walk } from "../model.ts";
import { notificationCardExamples, templateExamples } from "./examples.ts";
import { help } from "./general.ts";
import { hrAlert } from "./hr.ts";
import { resignationNoticeForm } from "./offboarding.ts";

const keys = Object.keys(catalogues.en);

function strings(card: CardNode): string[] {
  return JSON.stringify(card)
    .match(/"(?:[^"\\]|\\.)*"/g)!
    .map((s) => JSON.parse(s) as string);
}

const all = [...templateExamples, ...notificationCardExamples];

describe("card templates", () => {
  it("cover every moment of the issue", () => {
    expect(templateExamples.map((e) => e.name)).toEqual([
      "resignation-notice-form",
      "notice-receipt",
      "manager-acknowledgement",
      "handover-checklist",
      "settlement-request",
      "certificate-issued",
      "agreement-to-sign",
      "signature-receipt",
      "lesson-page",
      "quiz-question",
      "quiz-result",
      "my-checklist",
      "hr-alert",
      "hr-digest",
      "help",
      "not-allowed",
    ]);
  });

  describe.each(locales)("in %s", (locale) => {
    it.each(all.map((e) => [e.name, e] as const))(
      "%s renders with no placeholder or key left",
      (_name, example) => {
        const card = example.render({ locale, t: translate });
        for (const text of strings(card)) {
          expect(text, example.name).not.toMatch(/\{\w+\}/);
          expect(
            keys.filter((k) => k.startsWith("card.") && text.includes(k)),
            example.name,
          ).toEqual([]);
        }
        if (locale === "zh-CN") expect(card.header.title).toMatch(/[\u4e00-\u9fff]/);
        expect(fallbackText(card).length).toBeGreaterThan(0);
      },
    );
  });

  it("uses different texts in the two languages", () => {
    for (const example of templateExamples) {
      expect(example.render({ locale: "en", t: translate }).header.title, example.name).not.toBe(
        example.render({ locale: "zh-CN", t: translate }).header.title,
      );
    }
  });

  it("carries only action names and short ids in button values", () => {
    for (const example of all) {
      for (const locale of locales) {
        for (const node of walk(example.render({ locale, t: translate }))) {
          if (node.type !== "button" && node.type !== "submit") continue;
          expect(node.action).toMatch(/^[a-z][a-z.-]*$/);
          expect(node.action.length + (node.value?.length ?? 0)).toBeLessThanOrEqual(maxValueLength);
          if (node.value !== undefined) expect(node.value).toMatch(/^[\w.:@-]+$/);
        }
      }
    }
  });

  it("words the notice as a notice, shows the legal last day and warns it cannot be withdrawn alone", () => {
    const en = fallbackText(
      resignationNoticeForm(
        { employeeName: "Li Lei", noticeDate: "2026-03-02", legalLastDay: "2026-04-01", noticeDays: 30 },
        { locale: "en", t: translate },
      ),
    );
    expect(en).toContain("hereby give notice");
    expect(en).not.toMatch(/\brequest\b|\bapply\b|approv/i);
    expect(en).toContain("2026-04-01");
    expect(en).toContain("cannot be withdrawn by you alone");
    const zh = fallbackText(
      resignationNoticeForm(
        { employeeName: "李雷", noticeDate: "2026-03-02", legalLastDay: "2026-04-01", noticeDays: 30 },
        { locale: "zh-CN", t: translate },
      ),
    );
    expect(zh).toContain("特此通知");
    expect(zh).not.toContain("申请");
    expect(zh).toContain("无法单方撤回");
  });

  it("names each HR alert code with its own text, and an unknown one with the general text", () => {
    for (const locale of locales) {
      const ctx = { locale, t: translate };
      const text = (alert: string) => fallbackText(hrAlert({ alert, employee: "E1101" }, ctx));
      expect(text("teams.not_installed")).toContain(translate(locale, "card.hr_alert.teams.not_installed"));
      expect(text("outbox.dead")).toContain(translate(locale, "card.hr_alert.outbox.dead"));
      expect(text("no.such.alert")).toContain(translate(locale, "card.hr_alert.other"));
    }
  });

  it("the help card lists the commands of each role", () => {
    const ctx = { locale: "en" as const, t: translate };
    const text = (roles: Parameters<typeof help>[0]["roles"]) => fallbackText(help({ roles }, ctx));
    expect(text(["employee"])).not.toContain("/baton cases");
    expect(text(["employee", "finance"])).toContain("settlement for finance");
    expect(text(["employee", "hr", "finance"])).toContain("open cases");
    expect(text(["employee", "hr", "finance"])).not.toContain("settlement for finance");
  });
});
