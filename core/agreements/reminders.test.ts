import { describe, expect, it } from "vitest";
import { dueDateFor, localHour, reminderFor, withinWorkingHours } from "./reminders.ts";

describe("signature request due dates", () => {
  it("count calendar days after the request day, and never run past a given last date", () => {
    expect(dueDateFor("2026-03-02", 7)).toBe("2026-03-09");
    expect(dueDateFor("2026-03-02", 7, "2026-03-05")).toBe("2026-03-05");
    expect(dueDateFor("2026-03-02", 7, "2026-04-01")).toBe("2026-03-09");
    // A last date already past does not make the request due before it was made.
    expect(dueDateFor("2026-03-02", 7, "2026-02-01")).toBe("2026-03-09");
  });
});

describe("reminders", () => {
  const request = { requestedOn: "2026-03-02", dueDate: "2026-03-06" };
  it("come the day before, on the day, and daily after; never on the request day", () => {
    expect(reminderFor(request, "2026-03-02")).toBeUndefined();
    expect(reminderFor(request, "2026-03-03")).toBeUndefined();
    expect(reminderFor(request, "2026-03-05")).toBe("due-soon");
    expect(reminderFor(request, "2026-03-06")).toBe("due-today");
    expect(reminderFor(request, "2026-03-07")).toBe("overdue");
    expect(reminderFor(request, "2026-03-20")).toBe("overdue");
  });

  it("a request due the day after it was made gets no due-soon on its own day", () => {
    expect(reminderFor({ requestedOn: "2026-03-02", dueDate: "2026-03-03" }, "2026-03-02")).toBeUndefined();
    expect(reminderFor({ requestedOn: "2026-03-02", dueDate: "2026-03-03" }, "2026-03-03")).toBe("due-today");
  });

  it("working hours are 09:00 to 19:00 in the person's time zone", () => {
    const at = new Date("2026-03-02T00:30:00Z");
    expect(localHour(at, "Asia/Shanghai")).toBe(8);
    expect(localHour(at, "Europe/London")).toBe(0);
    expect(withinWorkingHours(8)).toBe(false);
    expect(withinWorkingHours(9)).toBe(true);
    expect(withinWorkingHours(18)).toBe(true);
    expect(withinWorkingHours(19)).toBe(false);
  });
});
