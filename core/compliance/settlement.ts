import type { SeparationType } from "../offboarding/separation.ts";
import { formatIsoDate, type IsoDate, yearOf } from "./dates.ts";
import { unusedLeavePay } from "./leave-pay.ts";
import type { Fen } from "./money.ts";
import { severance } from "./severance.ts";
import { type SeveranceArticle, type SeveranceFacts, severanceEntitlement } from "./severance-entitlement.ts";

/** An input a figure needs that nobody has entered yet, and where it is entered. */
export type MissingInput =
  | "finalWagesFen"
  | "averageMonthlyWageFen"
  | "annualLeaveDays"
  | "annualLeaveTakenDays"
  | "serviceStartDate"
  | "localMinimumMonthlyWage"
  | "localAverageMonthlyWage"
  | "mutualProposedBy"
  | "dismissalArticle";

export type FigureArticle =
  | SeveranceArticle
  | "law.lcl_art47"
  | "law.wage_provisions_art9"
  | "law.leave_art12";

/** One amount owed to the employee: computed, entered, not due, or waiting for inputs. */
export type Figure = {
  key: "final-wages" | "unused-leave-pay" | "severance";
  status: "computed" | "entered" | "not-due" | "missing";
  amountFen: Fen | null;
  /** The articles behind it, the deciding one first. */
  articles: FigureArticle[];
  missing: MissingInput[];
  /** How it was computed (the money rule's inputs and details), for finance to check. */
  details?: Record<string, unknown>;
  /** Severance is paid when the handover is finished (LCL Art. 50 para 2). */
  payableWhen?: "handover-done";
};

export type OwedItem = { id: string; description: string; amountFen: Fen; kind: string };

export type SettlementInput = {
  separationType: SeparationType;
  severanceFacts: SeveranceFacts;
  /** The last day of employment. */
  terminationDate: IsoDate;
  serviceStartDate: IsoDate | null;
  hireDate: IsoDate | null;
  averageMonthlyWageFen: Fen | null;
  annualLeaveDays: number | null;
  annualLeaveTakenDays: number | null;
  localMinimumMonthlyWageFen: Fen | null;
  localAverageMonthlyWageFen: Fen | null;
  /** From payroll (finance's answer or entered): wages through the last day not yet paid. */
  finalWagesFen: Fen | null;
  /** What finance says the employee owes, and whether it answered. */
  finance: { status: "not-requested" | "requested" | "outstanding" | "settled"; items: readonly OwedItem[] };
};

export type SettlementStatement = {
  terminationDate: IsoDate;
  owedToEmployee: Figure[];
  owedByEmployee: {
    status: SettlementInput["finance"]["status"];
    items: OwedItem[];
    totalFen: Fen;
  };
  /** Sum of the figures known so far (missing ones count as nothing). */
  owedToEmployeeKnownFen: Fen;
  /** True when every figure is known and finance has answered. */
  complete: boolean;
};

const missingFigure = (key: Figure["key"], articles: FigureArticle[], missing: MissingInput[]): Figure => ({
  key,
  status: "missing",
  amountFen: null,
  articles,
  missing,
});

function finalWages(input: SettlementInput): Figure {
  const articles: FigureArticle[] = ["law.wage_provisions_art9"];
  if (input.finalWagesFen === null) return missingFigure("final-wages", articles, ["finalWagesFen"]);
  return { key: "final-wages", status: "entered", amountFen: input.finalWagesFen, articles, missing: [] };
}

function leavePay(input: SettlementInput): Figure {
  const missing: MissingInput[] = [];
  if (input.averageMonthlyWageFen === null) missing.push("averageMonthlyWageFen");
  if (input.annualLeaveDays === null) missing.push("annualLeaveDays");
  if (input.annualLeaveTakenDays === null) missing.push("annualLeaveTakenDays");
  if (missing.length > 0) return missingFigure("unused-leave-pay", ["law.leave_art12"], missing);
  const yearStart = formatIsoDate(yearOf(input.terminationDate), 1, 1);
  const result = unusedLeavePay({
    terminationDate: input.terminationDate,
    ...(input.hireDate && input.hireDate > yearStart ? { periodStart: input.hireDate } : {}),
    annualEntitlementDays: input.annualLeaveDays as number,
    takenDays: input.annualLeaveTakenDays as number,
    monthlyWageFen: input.averageMonthlyWageFen as Fen,
  });
  return {
    key: "unused-leave-pay",
    status: "computed",
    amountFen: result.amountFen,
    articles: ["law.leave_art12"],
    missing: [],
    details: { ...result.details },
  };
}

function severanceFigure(input: SettlementInput): Figure {
  const entitlement = severanceEntitlement(input.separationType, input.severanceFacts);
  if (entitlement.due === "unknown") {
    return missingFigure("severance", ["law.lcl_art46"], [entitlement.missing]);
  }
  if (!entitlement.due) {
    return {
      key: "severance",
      status: "not-due",
      amountFen: 0,
      articles: [entitlement.article],
      missing: [],
    };
  }
  const articles: FigureArticle[] = [entitlement.article, "law.lcl_art47"];
  const missing: MissingInput[] = [];
  if (input.serviceStartDate === null) missing.push("serviceStartDate");
  if (input.averageMonthlyWageFen === null) missing.push("averageMonthlyWageFen");
  if (input.localMinimumMonthlyWageFen === null) missing.push("localMinimumMonthlyWage");
  if (input.localAverageMonthlyWageFen === null) missing.push("localAverageMonthlyWage");
  if (missing.length > 0)
    return { ...missingFigure("severance", articles, missing), payableWhen: "handover-done" };
  const result = severance({
    serviceStartDate: input.serviceStartDate as IsoDate,
    terminationDate: input.terminationDate,
    averageMonthlyWageFen: input.averageMonthlyWageFen as Fen,
    localMinimumMonthlyWageFen: input.localMinimumMonthlyWageFen as Fen,
    localAverageMonthlyWageFen: input.localAverageMonthlyWageFen as Fen,
  });
  return {
    key: "severance",
    status: "computed",
    amountFen: result.amountFen,
    articles,
    missing: [],
    details: { ...result.details },
    payableWhen: "handover-done",
  };
}

/**
 * What is owed each way at exit (DESIGN §6 "settlement"): to the employee, final wages (entered
 * from payroll; Wage Payment Provisions Art. 9: paid in full at termination), unused annual leave
 * pay (Leave Measures Art. 12) and severance where the separation type gives it (LCL Arts. 46–47);
 * by the employee, what finance reports. A figure whose inputs are missing says which, never
 * guesses.
 */
export function settlementStatement(input: SettlementInput): SettlementStatement {
  const owedToEmployee = [finalWages(input), leavePay(input), severanceFigure(input)];
  const items = [...input.finance.items];
  return {
    terminationDate: input.terminationDate,
    owedToEmployee,
    owedByEmployee: {
      status: input.finance.status,
      items,
      totalFen: items.reduce((sum, item) => sum + item.amountFen, 0),
    },
    owedToEmployeeKnownFen: owedToEmployee.reduce((sum, f) => sum + (f.amountFen ?? 0), 0),
    complete:
      owedToEmployee.every((f) => f.status !== "missing") &&
      (input.finance.status === "outstanding" || input.finance.status === "settled"),
  };
}
