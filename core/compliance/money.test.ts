import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, fromDayNumber, toDayNumber } from "./dates.ts";
import { unusedLeavePay } from "./leave-pay.ts";
import { divideRounded } from "./money.ts";
import { defaultNonCompeteMonthlyPay } from "./non-compete.ts";
import { serviceLength, severance } from "./severance.ts";

const yuan = (n: number) => Math.round(n * 100);

describe("money helpers", () => {
  it("rounds fen half up", () => {
    expect(divideRounded(5, 2)).toBe(3);
    expect(divideRounded(4, 2)).toBe(2);
    expect(divideRounded(100, 87)).toBe(1);
    expect(divideRounded(130, 87)).toBe(1);
    expect(divideRounded(131, 87)).toBe(2);
  });
});

describe("service length", () => {
  it("counts whole months from the first day through the last day worked", () => {
    expect(serviceLength("2020-03-15", "2026-03-14")).toEqual({ fullYears: 6, months: 0, days: 0 });
    expect(serviceLength("2020-03-15", "2026-03-15")).toEqual({ fullYears: 6, months: 0, days: 1 });
    expect(serviceLength("2023-01-01", "2026-07-31")).toEqual({ fullYears: 3, months: 7, days: 0 });
    expect(serviceLength("2026-01-31", "2026-02-27")).toEqual({ fullYears: 0, months: 1, days: 0 });
    expect(() => serviceLength("2026-03-02", "2026-03-01")).toThrow(RangeError);
  });
});

describe("severance, Labor Contract Law Art. 47 (R7)", () => {
  const base = {
    averageMonthlyWageFen: yuan(10_000),
    localMinimumMonthlyWageFen: yuan(2_690),
    localAverageMonthlyWageFen: yuan(12_183),
  };

  it("pays a month per full year, a year for a remainder of 6 months or more, half a month below", () => {
    const case1 = severance({ ...base, serviceStartDate: "2023-01-01", terminationDate: "2026-07-31" });
    expect(case1.amountFen).toBe(yuan(40_000)); // 3 y 7 m → 4
    expect(case1.article).toMatch(/Art\. 47/);
    expect(case1.details.months).toBe(4);
    expect(case1.inputs.serviceStartDate).toBe("2023-01-01");
    const six = severance({ ...base, serviceStartDate: "2025-09-01", terminationDate: "2026-02-28" });
    expect(six.details.months).toBe(1); // exactly 6 months: "以上" includes 6
    const short = severance({ ...base, serviceStartDate: "2024-01-01", terminationDate: "2026-03-31" });
    expect(short.details.months).toBe(2.5); // 2 y 3 m
    const days = severance({ ...base, serviceStartDate: "2026-03-01", terminationDate: "2026-03-10" });
    expect(days.amountFen).toBe(yuan(5_000));
    const exact = severance({ ...base, serviceStartDate: "2025-03-01", terminationDate: "2026-02-28" });
    expect(exact.details.months).toBe(1);
  });

  it("raises the wage to the local minimum", () => {
    const low = severance({
      ...base,
      averageMonthlyWageFen: yuan(2_000),
      serviceStartDate: "2024-03-01",
      terminationDate: "2026-02-28",
    });
    expect(low.amountFen).toBe(yuan(2_690 * 2));
    expect(low.details.raisedToMinimumWage).toBe(true);
  });

  it("caps the wage at 3× the local average and then counts at most 12 years", () => {
    const high = severance({
      ...base,
      averageMonthlyWageFen: yuan(50_000),
      localAverageMonthlyWageFen: yuan(10_000),
      serviceStartDate: "2010-03-01",
      terminationDate: "2026-02-28",
    });
    expect(high.details).toMatchObject({
      monthlyBaseFen: yuan(30_000),
      months: 12,
      cappedAtThreeTimesAverage: true,
    });
    expect(high.amountFen).toBe(yuan(360_000));
    const atCap = severance({
      ...base,
      averageMonthlyWageFen: yuan(30_000),
      localAverageMonthlyWageFen: yuan(10_000),
      serviceStartDate: "2010-03-01",
      terminationDate: "2026-02-28",
    });
    expect(atCap.details).toMatchObject({ months: 16, cappedAtThreeTimesAverage: false });
  });

  it("flags pre-2008 service for review (Art. 97)", () => {
    const old = severance({ ...base, serviceStartDate: "2005-05-01", terminationDate: "2026-02-28" });
    expect(old.details.notes).toHaveLength(1);
  });

  it("never decreases when the termination date moves later", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: toDayNumber("2008-01-01"), max: toDayNumber("2026-01-01") }),
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 1, max: 400 }),
        (start, length, extra) => {
          const serviceStartDate = fromDayNumber(start);
          const terminationDate = fromDayNumber(start + length);
          const a = severance({ ...base, serviceStartDate, terminationDate });
          const b = severance({
            ...base,
            serviceStartDate,
            terminationDate: addDays(terminationDate, extra),
          });
          expect(b.amountFen).toBeGreaterThanOrEqual(a.amountFen);
          expect(a.amountFen % yuan(5_000)).toBe(0);
        },
      ),
    );
  });

  it("refuses fractional or negative money", () => {
    expect(() =>
      severance({
        ...base,
        averageMonthlyWageFen: 1.5,
        serviceStartDate: "2020-01-01",
        terminationDate: "2026-01-01",
      }),
    ).toThrow(RangeError);
    expect(() =>
      severance({
        ...base,
        localAverageMonthlyWageFen: -1,
        serviceStartDate: "2020-01-01",
        terminationDate: "2026-01-01",
      }),
    ).toThrow(RangeError);
  });
});

describe("unused annual leave pay, Leave Measures Art. 12", () => {
  const monthly = yuan(21_750); // daily wage 1,000 yuan

  it("prorates by elapsed calendar days ÷ 365, drops the fraction, and pays 200% still owed per day", () => {
    const pay = unusedLeavePay({
      terminationDate: "2026-03-31",
      annualEntitlementDays: 10,
      takenDays: 0,
      monthlyWageFen: monthly,
    });
    expect(pay.details).toMatchObject({
      elapsedDays: 90,
      proratedUnusedDays: 2.466,
      unusedDays: 2,
      dailyWageFen: yuan(1_000),
    });
    expect(pay.amountFen).toBe(yuan(4_000));
    expect(pay.details.totalRemunerationFen).toBe(yuan(6_000));
    expect(pay.article).toMatch(/Art\. 12/);
  });

  it("subtracts leave taken and never goes negative (no claw-back)", () => {
    const half = unusedLeavePay({
      terminationDate: "2026-03-31",
      annualEntitlementDays: 10,
      takenDays: 0.5,
      monthlyWageFen: monthly,
    });
    expect(half.details.unusedDays).toBe(1);
    const over = unusedLeavePay({
      terminationDate: "2026-03-31",
      annualEntitlementDays: 10,
      takenDays: 5,
      monthlyWageFen: monthly,
    });
    expect(over.details.unusedDays).toBe(0);
    expect(over.amountFen).toBe(0);
  });

  it("counts from the hire date in the year of hire, and at most 365 days in a leap year", () => {
    const hired = unusedLeavePay({
      terminationDate: "2026-12-31",
      periodStart: "2026-07-01",
      annualEntitlementDays: 5,
      takenDays: 0,
      monthlyWageFen: monthly,
    });
    expect(hired.details.elapsedDays).toBe(184);
    expect(hired.details.unusedDays).toBe(2);
    const leap = unusedLeavePay({
      terminationDate: "2028-12-31",
      annualEntitlementDays: 15,
      takenDays: 0,
      monthlyWageFen: monthly,
    });
    expect(leap.details).toMatchObject({ elapsedDays: 365, unusedDays: 15 });
    const earlier = unusedLeavePay({
      terminationDate: "2026-02-01",
      periodStart: "2019-05-01",
      annualEntitlementDays: 5,
      takenDays: 0,
      monthlyWageFen: monthly,
    });
    expect(earlier.details.elapsedDays).toBe(32);
  });

  it("pays nothing extra when the employee declined arranged leave in writing (Art. 10 para 2)", () => {
    const declined = unusedLeavePay({
      terminationDate: "2026-06-30",
      annualEntitlementDays: 10,
      takenDays: 0,
      monthlyWageFen: monthly,
      declinedInWriting: true,
    });
    expect(declined.amountFen).toBe(0);
    expect(declined.article).toMatch(/Art\. 10 para 2/);
  });

  it("refuses bad inputs", () => {
    const ok = {
      terminationDate: "2026-03-31",
      annualEntitlementDays: 10,
      takenDays: 0,
      monthlyWageFen: monthly,
    };
    expect(() => unusedLeavePay({ ...ok, takenDays: -1 })).toThrow(RangeError);
    expect(() => unusedLeavePay({ ...ok, annualEntitlementDays: 0.25 })).toThrow(RangeError);
    expect(() => unusedLeavePay({ ...ok, periodStart: "2026-04-01" })).toThrow(RangeError);
  });

  it("is never negative and grows with the days elapsed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 364 }),
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (offset, entitlement10, taken10, wage) => {
          const input = {
            annualEntitlementDays: entitlement10 / 10,
            takenDays: taken10 / 10,
            monthlyWageFen: wage,
          };
          const a = unusedLeavePay({ ...input, terminationDate: addDays("2026-01-01", offset) });
          const b = unusedLeavePay({
            ...input,
            terminationDate: addDays("2026-01-01", Math.min(364, offset + 30)),
          });
          expect(a.amountFen).toBeGreaterThanOrEqual(0);
          expect(b.amountFen).toBeGreaterThanOrEqual(a.amountFen);
          expect(a.details.unusedDays).toBeLessThanOrEqual(Math.ceil(entitlement10 / 10));
        },
      ),
    );
  });
});

describe("default non-compete pay, SPC Interpretation I Art. 36 (R8)", () => {
  it("is 30% of the 12-month average wage, not below the local minimum wage", () => {
    const pay = defaultNonCompeteMonthlyPay({
      averageMonthlyWageFen: yuan(20_000),
      localMinimumMonthlyWageFen: yuan(2_690),
    });
    expect(pay.amountFen).toBe(yuan(6_000));
    expect(pay.article).toMatch(/Art\. 36/);
    const low = defaultNonCompeteMonthlyPay({
      averageMonthlyWageFen: yuan(5_000),
      localMinimumMonthlyWageFen: yuan(2_690),
    });
    expect(low.amountFen).toBe(yuan(2_690));
    expect(low.details).toEqual({ thirtyPercentFen: yuan(1_500), raisedToMinimumWage: true });
    expect(
      defaultNonCompeteMonthlyPay({ averageMonthlyWageFen: 12_345, localMinimumMonthlyWageFen: 0 }).amountFen,
    ).toBe(3_704);
  });
});
