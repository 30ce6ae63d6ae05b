import { noticePeriodDays, transferPeriodDays } from "../legal-clock.ts";
import type { LawArticle, LintFinding } from "./finding.ts";
import {
  type Gate,
  isNonCompeteCategory,
  lawfulPenaltyKinds,
  legalGateTargets,
  nonCompeteCategories,
  type Terms,
} from "./terms.ts";

/** Art. 24: "不得超过二年" — two years is allowed (Civil Code Art. 1259), more is not. */
export const maxNonCompeteMonths = 24;
/** 劳部发〔1996〕355号 Art. 2 (and Shanghai Regs Art. 15): at most six months. */
export const maxDeclassificationMonths = 6;

const error = (
  code: string,
  article: LawArticle,
  path: string,
  params: Record<string, string | number> = {},
): LintFinding => ({ severity: "error", code, article, params, path });

const warning = (
  code: string,
  article: LawArticle,
  path: string,
  params: Record<string, string | number> = {},
): LintFinding => ({ severity: "warning", code, article, params, path });

const gateArticle: Record<(typeof legalGateTargets)[number], LawArticle> = {
  certificate: "law.lcl_art50",
  transfer: "law.lcl_art50",
  "last-day": "law.lcl_art37",
  resignation: "law.lcl_art37",
  "final-wages": "law.wage_provisions_art9",
};

function isLegalTarget(target: string): target is (typeof legalGateTargets)[number] {
  return (legalGateTargets as readonly string[]).includes(target);
}

/**
 * Principle 1: nothing holds back the certificate, the file transfer, the last day or final pay.
 * A gate that lifts at the legal date at the latest only nudges, which is allowed. Severance may
 * wait for the handover (Art. 50 para 2) and for nothing else.
 */
function gateFindings(gates: readonly Gate[]): LintFinding[] {
  const out: LintFinding[] = [];
  gates.forEach((gate, index) => {
    const path = `gates.${index}`;
    if (gate.until === "legal-date") return;
    if (isLegalTarget(gate.target)) {
      out.push(
        error(`gate.${gate.target.replace("-", "_")}`, gateArticle[gate.target], path, {
          waitsFor: gate.waitsFor.join(", "),
        }),
      );
    } else if (gate.target === "severance") {
      const others = gate.waitsFor.filter((w) => w !== "handover");
      if (others.length > 0)
        out.push(
          warning("gate.severance", "law.lcl_art50_para2", `${path}.waitsFor`, {
            waitsFor: others.join(", "),
          }),
        );
    }
  });
  return out;
}

/** A delay of the resignation, the last day, the certificate or the transfer beyond what the law gives. */
function delayFindings(terms: Terms): LintFinding[] {
  const out: LintFinding[] = [];
  (terms.processingDelays ?? []).forEach((delay, index) => {
    const path = `processingDelays.${index}`;
    const months = delay.months ?? 0;
    const days = delay.days ?? 0;
    if (months === 0 && days === 0) return;
    const length = months > 0 ? `P${months}M` : `P${days}D`;
    switch (delay.what) {
      case "resignation":
      case "last-day":
        // "Transfer for a year before we process your resignation": excludes a statutory right.
        out.push(error("delay.resignation", "law.lcl_art37_art26", path, { length }));
        break;
      case "certificate":
        out.push(error("delay.certificate", "law.lcl_art50", path, { length }));
        break;
      case "transfer":
        if (months > 0 || days > transferPeriodDays)
          out.push(error("delay.transfer", "law.lcl_art50", path, { length, max: transferPeriodDays }));
        break;
      default:
        out.push(warning("delay.unknown", "law.lcl_art37", `${path}.what`, { what: delay.what }));
    }
  });
  return out;
}

/** Art. 37: 30 days' notice (3 in probation), no longer — a longer one needs a 脱密期 basis. */
function noticeFindings(terms: Terms): LintFinding[] {
  const notice = terms.noticePeriod;
  if (!notice) return [];
  const probation = terms.appliesTo?.probation === true;
  const max = probation ? noticePeriodDays.probation : noticePeriodDays.regular;
  const days = notice.days ?? 0;
  const months = notice.months ?? 0;
  if (days > max || months > 1 || (probation && months > 0)) {
    return [
      error("notice.too_long", "law.lcl_art37", "noticePeriod", {
        length: months > 0 ? `P${months}M` : `P${days}D`,
        max,
      }),
    ];
  }
  if (months === 1) return [warning("notice.month", "law.lcl_art37", "noticePeriod.months")];
  return [];
}

/** 脱密期: at most 6 months, and only with a recorded basis (劳部发〔1996〕355号 Art. 2). */
function declassificationFindings(terms: Terms): LintFinding[] {
  const period = terms.declassificationPeriod;
  if (!period || period.months === 0) return [];
  const out: LintFinding[] = [];
  if (period.months > maxDeclassificationMonths)
    out.push(
      error("declassification.too_long", "law.mol_1996_355_art2", "declassificationPeriod.months", {
        months: period.months,
        max: maxDeclassificationMonths,
      }),
    );
  if (!period.basis)
    out.push(error("declassification.no_basis", "law.mol_1996_355_art2", "declassificationPeriod.basis"));
  return out;
}

/** Arts. 23–24 and SPC-I Art. 36: who may be bound, for how long, and for what pay. */
function nonCompeteFindings(terms: Terms): LintFinding[] {
  const nc = terms.nonCompete;
  if (!nc || nc.months === 0) return [];
  const out: LintFinding[] = [];
  if (nc.months > maxNonCompeteMonths)
    out.push(
      error("non_compete.too_long", "law.lcl_art24", "nonCompete.months", {
        months: nc.months,
        max: maxNonCompeteMonths,
      }),
    );
  const binds = nc.binds ?? terms.appliesTo?.positionCategories;
  const bindsPath = nc.binds ? "nonCompete.binds" : "appliesTo.positionCategories";
  if (!binds || binds.length === 0) {
    out.push(
      warning("non_compete.no_category", "law.lcl_art24", "nonCompete.binds", {
        allowed: nonCompeteCategories.join(", "),
      }),
    );
  } else {
    binds.forEach((category, index) => {
      if (!isNonCompeteCategory(category))
        out.push(
          error("non_compete.wrong_staff", "law.lcl_art24", `${bindsPath}.${index}`, {
            category,
            allowed: nonCompeteCategories.join(", "),
          }),
        );
    });
  }
  if (nc.monthlyPayFen === undefined && nc.monthlyPayPercent === undefined) {
    out.push(warning("non_compete.no_pay", "law.spc1_art36", "nonCompete.monthlyPayFen"));
  } else if (nc.monthlyPayFen === 0 || nc.monthlyPayPercent === 0) {
    out.push(warning("non_compete.zero_pay", "law.spc1_art36", "nonCompete.monthlyPayFen"));
  } else if (nc.monthlyPayPercent !== undefined && nc.monthlyPayPercent < 30) {
    out.push(
      warning("non_compete.low_percent", "law.spc1_art36", "nonCompete.monthlyPayPercent", {
        percent: nc.monthlyPayPercent,
      }),
    );
  }
  if (nc.paidDuringEmployment)
    out.push(
      warning("non_compete.paid_during_employment", "law.lcl_art23", "nonCompete.paidDuringEmployment"),
    );
  return out;
}

/** Art. 25: the employee pays a penalty (违约金) only under Art. 22 or Art. 23. */
function penaltyFindings(terms: Terms): LintFinding[] {
  const out: LintFinding[] = [];
  (terms.penalties ?? []).forEach((penalty, index) => {
    const path = `penalties.${index}`;
    if (penalty.kind === "training-service-period") {
      if (penalty.trainingCostFen === undefined) {
        out.push(warning("penalty.training_cost_missing", "law.regs_art16", `${path}.trainingCostFen`));
      } else if (penalty.amountFen !== undefined && penalty.amountFen > penalty.trainingCostFen) {
        out.push(
          error("penalty.above_training_cost", "law.lcl_art22", `${path}.amountFen`, {
            amount: yuan(penalty.amountFen),
            cost: yuan(penalty.trainingCostFen),
          }),
        );
      }
    } else if (penalty.kind === "non-compete") {
      if (!terms.nonCompete || terms.nonCompete.months === 0)
        out.push(warning("penalty.no_non_compete", "law.lcl_art23", `${path}.kind`));
    } else if (penalty.kind === "confidentiality") {
      out.push(error("penalty.confidentiality", "law.lcl_art25", `${path}.kind`));
    } else {
      out.push(
        error("penalty.not_allowed", "law.lcl_art25", `${path}.kind`, {
          kind: penalty.kind,
          allowed: lawfulPenaltyKinds.join(", "),
        }),
      );
    }
  });
  return out;
}

function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

/** Every rule over well-formed terms. */
export function termFindings(terms: Terms): LintFinding[] {
  return [
    ...noticeFindings(terms),
    ...declassificationFindings(terms),
    ...nonCompeteFindings(terms),
    ...penaltyFindings(terms),
    ...gateFindings(terms.gates ?? []),
    ...delayFindings(terms),
  ];
}
