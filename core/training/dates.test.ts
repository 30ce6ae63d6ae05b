import { describe, expect, it } from "vitest";
import { certificateValidThrough, isCertificateValid, recertificationOpensOn } from "./certificate.ts";
import { trainingReminderKind } from "./reminders.ts";
import { completionCsv, trailCsv } from "./trail.ts";
import { instantAtLocalHour, nextWorkingMoment } from "./working-hours.ts";

describe("certificate validity (Civil Code Art. 202)", () => {
  it("ends on the corresponding day, or the month's last day when there is none", () => {
    expect(certificateValidThrough("2026-03-02", 12)).toBe("2027-03-02");
    expect(certificateValidThrough("2026-08-31", 6)).toBe("2027-02-28");
    expect(certificateValidThrough("2027-08-31", 6)).toBe("2028-02-29");
  });

  it("is valid through its last day and recertification opens 30 days before", () => {
    expect(isCertificateValid("2027-03-02", "2027-03-02")).toBe(true);
    expect(isCertificateValid("2027-03-02", "2027-03-03")).toBe(false);
    expect(recertificationOpensOn("2027-03-02")).toBe("2027-01-31");
  });
});

describe("training reminders", () => {
  it("the day before, on the day, and every day after", () => {
    expect(trainingReminderKind("2026-03-16", "2026-03-14")).toBeUndefined();
    expect(trainingReminderKind("2026-03-16", "2026-03-15")).toBe("due-tomorrow");
    expect(trainingReminderKind("2026-03-16", "2026-03-16")).toBe("due-today");
    expect(trainingReminderKind("2026-03-16", "2026-03-20")).toBe("overdue");
  });

  it("go out in working hours in the recipient's zone, skipping rest days", () => {
    const shanghai = "Asia/Shanghai";
    expect(instantAtLocalHour("2026-03-02", 9, shanghai).toISOString()).toBe("2026-03-02T01:00:00.000Z");
    expect(instantAtLocalHour("2026-07-01", 9, "Europe/Berlin").toISOString()).toBe(
      "2026-07-01T07:00:00.000Z",
    );
    const inHours = new Date("2026-03-02T03:00:00Z"); // Monday 11:00 in Shanghai
    expect(nextWorkingMoment(inHours, shanghai)).toEqual(inHours);
    // Friday 20:00 in Shanghai → Monday 09:00.
    expect(nextWorkingMoment(new Date("2026-03-06T12:00:00Z"), shanghai).toISOString()).toBe(
      "2026-03-09T01:00:00.000Z",
    );
    // Early morning → 09:00 the same day; a holiday given by the calendar is skipped too.
    expect(nextWorkingMoment(new Date("2026-03-02T22:30:00Z"), shanghai).toISOString()).toBe(
      "2026-03-03T01:00:00.000Z",
    );
    expect(
      nextWorkingMoment(new Date("2026-03-02T22:30:00Z"), shanghai, (d) => d !== "2026-03-03").toISOString(),
    ).toBe("2026-03-04T01:00:00.000Z");
  });
});

describe("exports", () => {
  it("writes the trail as CSV with fixed columns, quoting and formula protection", () => {
    const csv = trailCsv([
      {
        evidenceId: "e1",
        seq: 7,
        at: "2026-03-02T02:00:00.000Z",
        actor: "employee:E1",
        action: "training.answer.recorded",
        data: { courseId: "c", questionId: "=cmd", choices: ["A", "C"], correct: true, note: "x" },
      },
    ]);
    const [header, row] = csv.trim().split("\r\n");
    expect(header?.split(",")).toContain("secondsSincePrevious");
    expect(row).toBe(
      "2026-03-02T02:00:00.000Z,training.answer.recorded,employee:E1,c,,,,,,,'=cmd,A C,true,,,,,e1,7",
    );
  });

  it("writes the completion report with the completion rate", () => {
    const csv = completionCsv([
      {
        department: "Sales, East",
        courseId: "c",
        assigned: 3,
        passed: 2,
        open: 1,
        overdue: 0,
        failed: 0,
        certified: 2,
      },
    ]);
    expect(csv).toBe(
      'department,courseId,assigned,passed,open,overdue,failed,certified,completionRate\r\n"Sales, East",c,3,2,1,0,0,2,66\r\n',
    );
  });
});
