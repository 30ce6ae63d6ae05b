import { describe, expect, it } from "vitest";
import { createCnCalendar } from "../compliance/cn-calendar.ts";
import type { Notification } from "../notifications/notification.ts";
import {
  instantAt,
  nextWorkingMoment,
  type ReminderStep,
  remindersDue,
  workingDaysBetween,
  workingDaysOf,
} from "./reminders.ts";

const cn = createCnCalendar();
const shanghai = "Asia/Shanghai";
const at = (iso: string) => new Date(iso);

describe("working hours (DESIGN §6: 09:00–19:00 in the recipient's zone, working days)", () => {
  it("turns a local wall-clock hour into an instant, across time zones and DST", () => {
    expect(instantAt("2026-03-02", 9, shanghai).toISOString()).toBe("2026-03-02T01:00:00.000Z");
    expect(instantAt("2026-03-27", 9, "Europe/Berlin").toISOString()).toBe("2026-03-27T08:00:00.000Z");
    expect(instantAt("2026-03-30", 9, "Europe/Berlin").toISOString()).toBe("2026-03-30T07:00:00.000Z");
    expect(instantAt("2026-03-08", 2, "America/New_York").toISOString()).toBe("2026-03-08T07:00:00.000Z");
  });

  it("answers now inside working hours, else the next working morning", () => {
    const inside = at("2026-03-02T03:00:00Z"); // Mon 11:00 Shanghai
    expect(nextWorkingMoment(inside, shanghai, workingDaysOf(cn))).toBe(inside);
    expect(nextWorkingMoment(at("2026-03-01T23:30:00Z"), shanghai, workingDaysOf(cn)).toISOString()).toBe(
      "2026-03-02T01:00:00.000Z",
    );
    expect(nextWorkingMoment(at("2026-03-02T11:00:00Z"), shanghai, workingDaysOf(cn)).toISOString()).toBe(
      "2026-03-03T01:00:00.000Z",
    );
    // Friday 20:00 → Monday 09:00.
    expect(nextWorkingMoment(at("2026-03-06T12:00:00Z"), shanghai, workingDaysOf(cn)).toISOString()).toBe(
      "2026-03-09T01:00:00.000Z",
    );
    // Inside the National Day block → Thu Oct 8; the make-up Saturday Oct 10 is a working day.
    expect(nextWorkingMoment(at("2026-10-02T03:00:00Z"), shanghai, workingDaysOf(cn)).toISOString()).toBe(
      "2026-10-08T01:00:00.000Z",
    );
    expect(nextWorkingMoment(at("2026-10-10T03:00:00Z"), shanghai, workingDaysOf(cn)).toISOString()).toBe(
      "2026-10-10T03:00:00.000Z",
    );
    // 18:59 is inside, 19:00 is not.
    expect(nextWorkingMoment(at("2026-03-02T10:59:00Z"), shanghai, workingDaysOf(cn)).toISOString()).toBe(
      "2026-03-02T10:59:00.000Z",
    );
    expect(nextWorkingMoment(at("2026-03-02T11:00:00Z"), shanghai, workingDaysOf(cn)).toISOString()).toBe(
      "2026-03-03T01:00:00.000Z",
    );
  });

  it("counts working days strictly after a date", () => {
    expect(workingDaysBetween(cn, "2026-03-05", "2026-03-09", 10)).toBe(2);
    expect(workingDaysBetween(cn, "2026-03-05", "2026-03-05", 10)).toBe(0);
    expect(workingDaysBetween(cn, "2026-03-05", "2026-03-31", 2)).toBe(2);
  });
});

const step = (over: Partial<ReminderStep> = {}): ReminderStep => ({
  caseId: "c1",
  stepKey: "handover",
  employee: "E1",
  entityId: "acme",
  startDate: "2026-03-02",
  dueDate: "2026-03-05",
  assignment: 1,
  owner: {
    kind: "person",
    principal: "employee:M1",
    timeZone: shanghai,
    manager: { principal: "employee:MM", timeZone: shanghai },
  },
  legal: false,
  onHold: false,
  ...over,
});

/** Runs the policy at each moment, keeping each dedupe key once, as the outbox does. */
function simulate(s: ReminderStep, moments: string[]) {
  const sent = new Map<string, Notification>();
  const nexts: string[] = [];
  for (const moment of moments) {
    const plan = remindersDue(s, { now: at(moment), calendar: cn, caseTimeZone: shanghai });
    for (const n of plan.notifications) if (!sent.has(n.dedupeKey)) sent.set(n.dedupeKey, n);
    nexts.push(plan.nextRunAt.toISOString());
  }
  return { sent: [...sent.values()], nexts };
}

const brief = (n: Notification) =>
  `${n.kind} → ${n.recipient.type === "person" ? n.recipient.principal : `${n.recipient.type}:${"purpose" in n.recipient ? n.recipient.purpose : ""}`}`;

describe("the reminder policy (DESIGN §6)", () => {
  it("assignment, the day before, the due day, daily overdue, then the manager, then HR — each once", () => {
    // Due Thu 03-05. Ticks every few hours from Mon to the next Tuesday, several in each day.
    const moments: string[] = [];
    for (let d = 2; d <= 10; d++) {
      for (const hour of ["00:30", "01:00", "06:00", "13:00"])
        moments.push(`2026-03-${String(d).padStart(2, "0")}T${hour}:00Z`);
    }
    const { sent } = simulate(step(), moments);
    expect(sent.map((n) => [brief(n), n.dedupeKey])).toEqual([
      ["step.assigned → employee:M1", "assigned:c1:handover:1"],
      ["step.reminder → employee:M1", "reminder:c1:handover:2026-03-04"],
      ["step.due → employee:M1", "reminder:c1:handover:2026-03-05"],
      ["step.overdue → employee:M1", "reminder:c1:handover:2026-03-06"],
      ["step.escalated → employee:MM", "escalation:c1:handover:2026-03-05:manager"],
      // Sat/Sun 03-07/08 are rest days: no overdue message to a person.
      ["step.overdue → employee:M1", "reminder:c1:handover:2026-03-09"],
      ["step.escalated → channel:hr", "escalation:c1:handover:2026-03-05:hr"],
      ["step.overdue → employee:M1", "reminder:c1:handover:2026-03-10"],
    ]);
    const hr = sent.find((n) => n.dedupeKey.endsWith(":hr"));
    expect(hr?.recipient).toEqual({ type: "channel", purpose: "hr", entityId: "acme" });
    expect(hr?.data).toMatchObject({
      level: "hr",
      workingDaysOverdue: 2,
      owner: "employee:M1",
      step: "handover",
    });
    expect(sent.every((n) => !JSON.stringify(n.data).includes("Leaver"))).toBe(true);
  });

  it("says when it next has something to say: the day before, the due day, then each working morning", () => {
    const { nexts } = simulate(step(), [
      "2026-03-02T02:00:00Z",
      "2026-03-04T01:00:00Z",
      "2026-03-05T01:00:00Z",
      "2026-03-06T01:00:00Z",
    ]);
    expect(nexts).toEqual([
      "2026-03-04T01:00:00.000Z",
      "2026-03-05T01:00:00.000Z",
      "2026-03-06T01:00:00.000Z",
      "2026-03-09T01:00:00.000Z",
    ]);
  });

  it("holds messages to people until their working hours, in their own time zone", () => {
    const late = remindersDue(step(), {
      now: at("2026-03-04T13:30:00Z"),
      calendar: cn,
      caseTimeZone: shanghai,
    });
    const reminder = late.notifications.find((n) => n.kind === "step.reminder");
    expect(reminder?.notBefore?.toISOString()).toBe("2026-03-05T01:00:00.000Z");
    const berlin = step({
      owner: { kind: "person", principal: "employee:M9", timeZone: "Europe/Berlin", manager: null },
    });
    const early = remindersDue(berlin, {
      now: at("2026-03-04T06:00:00Z"),
      calendar: cn,
      caseTimeZone: shanghai,
    });
    // 07:00 in Berlin on 03-04: the reminder waits until 09:00 there.
    expect(early.notifications.find((n) => n.kind === "step.reminder")?.notBefore?.toISOString()).toBe(
      "2026-03-04T08:00:00.000Z",
    );
  });

  it("never holds back legal deadlines, and sends group steps to their channel at once", () => {
    const legal = step({
      stepKey: "transfer",
      legal: true,
      dueDate: "2026-03-08",
      dueDateExtended: "2026-03-09",
      owner: { kind: "group", purpose: "hr" },
    });
    // Sunday 03-08 at 00:30 Shanghai: the due-day alert goes now, to the HR channel, marked legal.
    const plan = remindersDue(legal, {
      now: at("2026-03-07T16:30:00Z"),
      calendar: cn,
      caseTimeZone: shanghai,
    });
    const due = plan.notifications.find((n) => n.kind === "step.due");
    expect(due).toMatchObject({
      recipient: { type: "channel", purpose: "hr", entityId: "acme" },
      urgency: "legal",
      data: { dueDate: "2026-03-08", dueDateExtended: "2026-03-09" },
    });
    expect(due?.notBefore).toBeUndefined();
    const person = remindersDue(step({ legal: true }), {
      now: at("2026-03-04T13:30:00Z"),
      calendar: cn,
      caseTimeZone: shanghai,
    });
    expect(person.notifications.every((n) => n.notBefore === undefined && n.urgency === "legal")).toBe(true);
  });

  it("on hold only the assignment goes out (legal alerts still do); a step assigned on the day is not reminded", () => {
    const held = simulate(step({ onHold: true }), [
      "2026-03-04T02:00:00Z",
      "2026-03-05T02:00:00Z",
      "2026-03-10T02:00:00Z",
    ]);
    expect(held.sent.map((n) => n.kind)).toEqual(["step.assigned"]);
    const heldLegal = simulate(step({ onHold: true, legal: true }), ["2026-03-05T02:00:00Z"]);
    expect(heldLegal.sent.map((n) => n.kind)).toEqual(["step.assigned", "step.due"]);
    const late = simulate(step({ startDate: "2026-03-04" }), ["2026-03-04T02:00:00Z"]);
    expect(late.sent.map((n) => n.kind)).toEqual(["step.assigned"]);
  });

  it("tells a new owner and the named receiver once each", () => {
    const reassigned = remindersDue(
      step({ assignment: 2, receiver: { principal: "employee:R1", timeZone: shanghai } }),
      { now: at("2026-03-02T02:00:00Z"), calendar: cn, caseTimeZone: shanghai },
    );
    expect(reassigned.notifications.map((n) => [n.kind, n.dedupeKey, n.data.role])).toEqual([
      ["step.assigned", "assigned:c1:handover:2", "owner"],
      ["step.assigned", "assigned:c1:handover:receiver:employee:R1", "receiver"],
    ]);
  });
});
