import { describe, expect, it } from "vitest";
import { certificateDue, certificateRefusal, unissuedCertificateAlerts } from "./rules.ts";

describe("who issues the certificate", () => {
  it("is HR or a system acting for HR, never the leaver themselves", () => {
    expect(certificateRefusal({ principal: "employee:H1", functions: ["hr"] }, "E1")).toBeUndefined();
    expect(certificateRefusal({ principal: "system:hris", functions: [] }, "E1")).toBeUndefined();
    expect(certificateRefusal({ principal: "employee:M1", functions: ["finance"] }, "E1")).toBe("hr_only");
    expect(certificateRefusal({ principal: "employee:E1", functions: [] }, "E1")).toBe("hr_only");
    expect(certificateRefusal({ principal: "employee:E1", functions: ["hr"] }, "E1")).toBe("own_case");
    expect(certificateRefusal({ principal: "test:alice", functions: ["hr"] }, "E1")).toBe("hr_only");
    expect(certificateRefusal({ principal: "nonsense", functions: ["hr"] }, "E1")).toBe("hr_only");
  });
});

describe("when", () => {
  it("is the last day or after (Art. 50: at termination)", () => {
    expect(certificateDue("2026-03-31", "2026-03-30")).toBe(false);
    expect(certificateDue("2026-03-31", "2026-03-31")).toBe(true);
    expect(certificateDue("2026-03-31", "2026-04-20")).toBe(true);
  });
});

describe("the unissued-certificate alert", () => {
  const base = {
    caseId: "c1",
    employeeExternalId: "E1",
    entityId: "acme-sh",
    plannedLastDay: "2026-03-31",
    today: "2026-03-31",
    hrOwner: "employee:H1",
    hrOwnerManager: "employee:HM",
  };

  it("goes to HR's channel, the HR owner and their manager, as legal alerts keyed by case and day", () => {
    const alerts = unissuedCertificateAlerts(base);
    expect(alerts.map((a) => [a.recipient, a.dedupeKey, a.urgency])).toEqual([
      [
        { type: "channel", purpose: "hr", entityId: "acme-sh" },
        "certificate.unissued:c1:2026-03-31:hr-channel",
        "legal",
      ],
      [
        { type: "person", principal: "employee:H1" },
        "certificate.unissued:c1:2026-03-31:employee:H1",
        "legal",
      ],
      [
        { type: "person", principal: "employee:HM" },
        "certificate.unissued:c1:2026-03-31:employee:HM",
        "legal",
      ],
    ]);
    expect(alerts.every((a) => a.kind === "hr.alert")).toBe(true);
    expect(alerts[0]?.data).toEqual({
      alert: "certificate.unissued",
      caseId: "c1",
      employee: "E1",
      plannedLastDay: "2026-03-31",
      daysLate: 0,
      article: "LCL Art. 50",
    });
    const nextDay = unissuedCertificateAlerts({ ...base, today: "2026-04-02" });
    expect(nextDay[0]?.dedupeKey).toBe("certificate.unissued:c1:2026-04-02:hr-channel");
    expect(nextDay[0]?.data.daysLate).toBe(2);
  });

  it("says nothing before the last day, and copes with a group owner or no manager", () => {
    expect(unissuedCertificateAlerts({ ...base, today: "2026-03-30" })).toEqual([]);
    const groupOwned = unissuedCertificateAlerts({
      ...base,
      hrOwner: null,
      hrOwnerManager: null,
      entityId: null,
    });
    expect(groupOwned.map((a) => a.recipient)).toEqual([{ type: "channel", purpose: "hr" }]);
    // An owner who is their own "manager" (a data slip) hears of it once.
    const samePerson = unissuedCertificateAlerts({ ...base, hrOwnerManager: "employee:H1" });
    expect(samePerson.map((a) => a.dedupeKey)).toEqual([
      "certificate.unissued:c1:2026-03-31:hr-channel",
      "certificate.unissued:c1:2026-03-31:employee:H1",
    ]);
  });
});
