import { describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import { describeCase, describeCases } from "./case-commands.ts";

const view: CaseView = {
  id: "7d1f6a4e-0000-4000-8000-000000000001",
  employeeExternalId: "E1",
  separationType: "resignation",
  article: "LCL Art. 37",
  template: { id: "cn-standard", version: 1 },
  probation: false,
  noticeDate: "2026-08-17",
  noticeReceivedAt: "2026-08-17T02:00:00.000Z",
  noticeChannel: "lark",
  legalLastDay: "2026-09-16",
  requestedLastDay: null,
  agreedLastDay: null,
  plannedLastDay: "2026-09-16",
  earlierDayNeedsAgreement: false,
  certificateDue: "2026-09-16",
  transferDue: "2026-10-01",
  transferDueExtended: "2026-10-08",
  status: "open",
  openedAt: "2026-08-17T02:00:00.000Z",
  closedAt: null,
  exceptionsRecordedAt: null,
  steps: [
    {
      key: "handover",
      ownerRole: "manager",
      owner: "employee:M1",
      receiver: null,
      delegates: [],
      status: "active",
      startDate: "2026-08-19",
      projected: false,
      startedAt: "2026-08-19T00:00:00.000Z",
      dueDate: "2026-08-24",
      dueOverridden: false,
      completedAt: null,
      completedBy: null,
      outcome: null,
    },
    {
      key: "transfer",
      ownerRole: "hr",
      owner: "group:hr",
      receiver: null,
      delegates: [],
      status: "pending",
      startDate: "2026-09-16",
      projected: true,
      startedAt: null,
      dueDate: "2026-10-01",
      dueDateExtended: "2026-10-08",
      dueOverridden: false,
      completedAt: null,
      completedBy: null,
      outcome: null,
    },
  ],
};

describe("baton cases / baton case output", () => {
  it("lists cases with their next open step", () => {
    expect(describeCases([view])).toContain("last day 2026-09-16  open      handover due 2026-08-24");
    expect(describeCases([])).toBe("No cases.\n");
  });

  it("shows the dates, both transfer dates and the steps", () => {
    const text = describeCase(view);
    expect(text).toContain("transfer due 2026-10-01 (Art. 203: 2026-10-08)");
    expect(text).toMatch(/handover\s+active\s+employee:M1\s+started\s+2026-08-19\s+due 2026-08-24/);
    expect(text).toMatch(
      /transfer\s+pending\s+group:hr\s+starts by 2026-09-16\s+due 2026-10-01 \(Art. 203: 2026-10-08\)/,
    );
  });
});
