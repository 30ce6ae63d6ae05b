import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { caseDates } from "./separation.ts";

const base = { noticeDate: "2026-03-02", today: "2026-03-02" };

function refusal(fn: () => unknown): { code: string; key: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, key: error.messageKey };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("caseDates (DESIGN §6, law-calendar R1–R3)", () => {
  it("Art. 37: the legal last day is notice + 30 days, and is the day in force by default", () => {
    expect(caseDates({ ...base, separationType: "resignation" })).toEqual({
      noticeDate: "2026-03-02",
      probation: false,
      legalLastDay: "2026-04-01",
      requestedLastDay: null,
      agreedLastDay: null,
      plannedLastDay: "2026-04-01",
      earlierDayNeedsAgreement: false,
    });
  });

  it("Art. 37 in probation: notice + 3 days when the notice arrives on or before probation's last day", () => {
    const inProbation = caseDates({ ...base, separationType: "resignation", probationEndDate: "2026-03-02" });
    expect(inProbation).toMatchObject({
      probation: true,
      legalLastDay: "2026-03-05",
      plannedLastDay: "2026-03-05",
    });
    const after = caseDates({ ...base, separationType: "resignation", probationEndDate: "2026-03-01" });
    expect(after).toMatchObject({ probation: false, legalLastDay: "2026-04-01" });
  });

  it("keeps a later day the employee names, and holds the legal day against an earlier one until agreed", () => {
    const later = caseDates({ ...base, separationType: "resignation", requestedLastDay: "2026-04-30" });
    expect(later).toMatchObject({ plannedLastDay: "2026-04-30", earlierDayNeedsAgreement: false });
    const earlier = caseDates({ ...base, separationType: "resignation", requestedLastDay: "2026-03-13" });
    expect(earlier).toMatchObject({
      requestedLastDay: "2026-03-13",
      plannedLastDay: "2026-04-01",
      earlierDayNeedsAgreement: true,
    });
    const agreed = caseDates({
      ...base,
      separationType: "resignation",
      requestedLastDay: "2026-03-13",
      agreedLastDay: "2026-03-13",
    });
    expect(agreed).toMatchObject({ plannedLastDay: "2026-03-13", earlierDayNeedsAgreement: false });
  });

  it("Art. 38 ends at once; Art. 44 on the contract's end; Arts. 36 and 39–41 on the day named", () => {
    expect(caseDates({ ...base, separationType: "resignation-employer-fault" })).toMatchObject({
      legalLastDay: "2026-03-02",
      plannedLastDay: "2026-03-02",
    });
    expect(caseDates({ ...base, separationType: "expiry", contractEndDate: "2026-05-31" })).toMatchObject({
      legalLastDay: "2026-05-31",
      plannedLastDay: "2026-05-31",
    });
    expect(caseDates({ ...base, separationType: "mutual", requestedLastDay: "2026-03-20" })).toMatchObject({
      legalLastDay: null,
      plannedLastDay: "2026-03-20",
    });
    expect(refusal(() => caseDates({ ...base, separationType: "dismissal" }))).toEqual({
      code: "unprocessable",
      key: "case.last_day_required",
    });
    expect(refusal(() => caseDates({ ...base, separationType: "expiry" })).key).toBe(
      "case.last_day_required",
    );
  });

  it("refuses a notice from the future, a last day before the notice, and one years away", () => {
    expect(
      refusal(() => caseDates({ ...base, separationType: "resignation", noticeDate: "2026-03-03" })).key,
    ).toBe("case.notice_in_future");
    expect(
      refusal(() => caseDates({ ...base, separationType: "mutual", requestedLastDay: "2026-03-01" })).key,
    ).toBe("case.day_before_notice");
    expect(
      refusal(() => caseDates({ ...base, separationType: "resignation", requestedLastDay: "2029-01-01" }))
        .key,
    ).toBe("case.last_day_too_far");
  });
});
