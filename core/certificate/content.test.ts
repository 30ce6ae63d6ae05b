import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, fromDayNumber, toDayNumber } from "../compliance/dates.ts";
import { separationTypes } from "../offboarding/separation.ts";
import {
  type CertificateFacts,
  canonicalContent,
  certificateContent,
  certificateProblems,
  contentHash,
} from "./content.ts";
import { certificateDocument, documentTexts, formatServiceLength } from "./document.ts";

const facts: CertificateFacts = {
  entity: { id: "acme-sh", name: "示例（上海）有限公司" },
  employee: {
    externalId: "E2001",
    name: "林一",
    idNumber: "310101199001011234",
    position: "工程师 Engineer",
    contractType: "fixed",
    contractStartDate: "2024-03-01",
    contractEndDate: "2027-02-28",
    serviceStartDate: "2024-03-01",
    hireDate: "2024-03-01",
  },
  separationType: "resignation",
  terminationDate: "2026-03-31",
  issueDate: "2026-03-31",
};

const record = {
  certificateId: "c-1",
  version: 1,
  contentHash: "ab".repeat(32),
  verifyUrl: "https://b.example/verify/x",
};

const withEmployee = (patch: Partial<CertificateFacts["employee"]>): CertificateFacts => ({
  ...facts,
  employee: { ...facts.employee, ...patch },
});

describe("years of service (Regs Art. 24 (4))", () => {
  it("counts from the service start through the last day, both worked", () => {
    expect(certificateContent(facts).service).toEqual({
      start: "2024-03-01",
      length: { fullYears: 2, months: 1, days: 0 },
    });
    // a whole number of years: start 2023-04-01, last day 2026-03-31
    const three = certificateContent(withEmployee({ serviceStartDate: "2023-04-01" }));
    expect(three.service.length).toEqual({ fullYears: 3, months: 0, days: 0 });
    // one day of service
    const one = certificateContent({ ...facts, terminationDate: "2024-03-01" });
    expect(one.service.length).toEqual({ fullYears: 0, months: 0, days: 1 });
  });

  it("uses the service start date, which may be before the hire date (earlier service that counts), else the hire date", () => {
    const transferred = certificateContent(withEmployee({ serviceStartDate: "2021-09-15" }));
    expect(transferred.service.start).toBe("2021-09-15");
    expect(transferred.service.length).toEqual({ fullYears: 4, months: 6, days: 17 });
    const fallback = certificateContent(withEmployee({ serviceStartDate: null }));
    expect(fallback.service.start).toBe("2024-03-01");
  });

  it("handles month ends like the Civil Code's month rule (Art. 202: no such day → the month's last day)", () => {
    const at = (serviceStartDate: string, terminationDate: string) =>
      certificateContent({
        ...withEmployee({ serviceStartDate, contractStartDate: serviceStartDate }),
        terminationDate,
      }).service.length;
    // 31 January + 1 month = 28 February, so service through 27 February is one month.
    expect(at("2025-01-31", "2025-02-27")).toEqual({ fullYears: 0, months: 1, days: 0 });
    expect(at("2025-01-31", "2025-02-26")).toEqual({ fullYears: 0, months: 0, days: 27 });
    // 29 February + 12 months = 28 February of the next year.
    expect(at("2024-02-29", "2025-02-27")).toEqual({ fullYears: 1, months: 0, days: 0 });
    expect(at("2024-02-29", "2025-02-26")).toEqual({ fullYears: 0, months: 11, days: 29 });
  });

  it("adds up: years, months and days lead back from the start to the day after the last day", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 12_000 }), (s, span) => {
        const start = fromDayNumber(toDayNumber("1990-01-01") + s);
        const end = addDays(start, span);
        const { length } = certificateContent({
          ...withEmployee({ serviceStartDate: start }),
          terminationDate: end,
        }).service;
        expect(length.months).toBeLessThan(12);
        expect(length.days).toBeLessThan(31);
        const total = length.fullYears * 12 + length.months;
        const [y, m, d] = start.split("-").map(Number) as [number, number, number];
        const index = y * 12 + (m - 1) + total;
        const year = Math.floor(index / 12);
        const month = (index % 12) + 1;
        const lastOfMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const anniversary = `${year}-${String(month).padStart(2, "0")}-${String(Math.min(d, lastOfMonth)).padStart(2, "0")}`;
        expect(addDays(anniversary, length.days)).toBe(addDays(end, 1));
      }),
    );
  });

  it("reads in both languages", () => {
    expect(formatServiceLength({ fullYears: 2, months: 1, days: 0 })).toEqual({
      zh: "2年1个月",
      en: "2 years 1 month",
    });
    expect(formatServiceLength({ fullYears: 1, months: 0, days: 17 })).toEqual({
      zh: "1年17天",
      en: "1 year 17 days",
    });
    expect(formatServiceLength({ fullYears: 0, months: 0, days: 0 })).toEqual({ zh: "0天", en: "0 days" });
  });
});

describe("validation", () => {
  it("names every missing fact so HR knows what to enter", () => {
    const problems = certificateProblems({
      ...facts,
      entity: null,
      terminationDate: null,
      employee: {
        ...facts.employee,
        idNumber: null,
        position: " ",
        contractType: "fixed",
        contractStartDate: null,
        contractEndDate: null,
        serviceStartDate: null,
        hireDate: null,
      },
    });
    expect(problems.map((p) => p.field)).toEqual([
      "entity",
      "idNumber",
      "position",
      "contractStartDate",
      "contractEndDate",
      "serviceStartDate",
      "plannedLastDay",
    ]);
    expect(() => certificateContent({ ...facts, entity: null })).toThrow(RangeError);
  });

  it("needs no end date for an open-ended contract, and refuses a service start after the last day", () => {
    expect(certificateProblems(withEmployee({ contractType: "open-ended", contractEndDate: null }))).toEqual(
      [],
    );
    expect(certificateProblems(withEmployee({ serviceStartDate: "2026-04-01" })).map((p) => p.field)).toEqual(
      ["serviceStartDate"],
    );
    expect(certificateProblems(withEmployee({ idNumber: "erased" })).map((p) => p.field)).toEqual([
      "idNumber",
    ]);
  });
});

describe("content and hash", () => {
  it("holds exactly the Art. 24 items and the identities, nothing that could carry a remark", () => {
    const content = certificateContent(facts);
    expect(Object.keys(content).sort()).toEqual([
      "contractTerm",
      "employee",
      "entity",
      "format",
      "issueDate",
      "position",
      "separation",
      "service",
      "terminationDate",
    ]);
    expect(Object.keys(content.employee).sort()).toEqual(["externalId", "idNumber", "name"]);
  });

  it("hashes the RFC 8785 canonical JSON with SHA-256, as a third party would", async () => {
    const content = certificateContent(facts);
    const canonical = canonicalContent(content);
    expect(
      canonical.startsWith('{"contractTerm":{"end":"2027-02-28","start":"2024-03-01","type":"fixed"}'),
    ).toBe(true);
    expect(await contentHash(content)).toBe(createHash("sha256").update(canonical).digest("hex"));
    const other = certificateContent(withEmployee({ position: "经理 Manager" }));
    expect(await contentHash(other)).not.toBe(await contentHash(content));
  });
});

describe("the printed document", () => {
  it("gives every item in Chinese with an English line", () => {
    const doc = certificateDocument(certificateContent(facts), record);
    expect(doc.items.map((i) => i.key)).toEqual([
      "entity",
      "name",
      "idNumber",
      "contractTerm",
      "terminationDate",
      "position",
      "service",
      "separation",
    ]);
    for (const item of doc.items) {
      expect(item.label.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(item.label.en).toMatch(/^[A-Za-z ]+$/);
    }
    const value = (key: string) => doc.items.find((i) => i.key === key)?.value;
    expect(value("contractTerm")).toEqual({
      zh: "2024年3月1日 至 2027年2月28日",
      en: "1 March 2024 to 28 February 2027",
    });
    expect(value("terminationDate")).toEqual({ zh: "2026年3月31日", en: "31 March 2026" });
    expect(value("service")).toEqual({ zh: "2年1个月", en: "2 years 1 month" });
    expect(value("separation")).toEqual({ zh: "劳动者解除劳动合同", en: "Ended by the employee" });
    expect(doc.title).toEqual({ zh: "离职证明", en: "Separation Certificate" });
    expect(doc.seal.date).toEqual({ zh: "2026年3月31日", en: "31 March 2026" });
    expect(doc.footer.verify.en).toContain("https://b.example/verify/x");
  });

  it("words open-ended and task contracts", () => {
    const open = certificateDocument(
      certificateContent(withEmployee({ contractType: "open-ended", contractEndDate: null })),
      record,
    );
    expect(open.items[3]?.value).toEqual({
      zh: "无固定期限，自 2024年3月1日 起",
      en: "Open-ended, from 1 March 2024",
    });
    const task = certificateDocument(certificateContent(withEmployee({ contractType: "task" })), record);
    expect(task.items[3]?.value.zh).toBe("以完成一定工作任务为期限，自 2024年3月1日 起");
  });

  it.each(separationTypes)("says nothing negative for a %s: who ended it at most, never why", (type) => {
    const doc = certificateDocument(certificateContent({ ...facts, separationType: type }), record);
    const text = documentTexts(doc).join("\n");
    for (const word of [
      "原因",
      "理由",
      "评价",
      "表现",
      "违纪",
      "违反",
      "辞退",
      "开除",
      "过错",
      "严重",
      "不胜任",
      "reason",
      "because",
      "misconduct",
      "performance",
      "fault",
      "dismiss",
      "fired",
      "remark",
    ]) {
      expect(text.toLowerCase(), `${type}: ${word}`).not.toContain(word.toLowerCase());
    }
  });

  it("words an Art. 38 resignation exactly like an Art. 37 one", () => {
    const of = (type: CertificateFacts["separationType"]) =>
      certificateDocument(certificateContent({ ...facts, separationType: type }), record);
    expect(documentTexts(of("resignation-employer-fault"))).toEqual(documentTexts(of("resignation")));
  });
});
