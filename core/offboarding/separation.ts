import { addDays, type IsoDate, maxDate } from "../compliance/dates.ts";
import { legalLastDay } from "../compliance/legal-clock.ts";
import { AppError } from "../errors.ts";

/** How a contract ends (DESIGN §6); the type drives the dates, severance and the certificate. */
export const separationTypes = [
  "resignation",
  "resignation-employer-fault",
  "mutual",
  "expiry",
  "dismissal",
] as const;
export type SeparationType = (typeof separationTypes)[number];

/** The Labor Contract Law article behind each type. */
export const separationArticle: Record<SeparationType, string> = {
  resignation: "LCL Art. 37",
  "resignation-employer-fault": "LCL Art. 38",
  mutual: "LCL Art. 36",
  expiry: "LCL Art. 44",
  dismissal: "LCL Arts. 39–41",
};

/** Types the employee starts themselves; the others are started by the employer (HR or a system). */
export function isEmployeeNotice(type: SeparationType): boolean {
  return type === "resignation" || type === "resignation-employer-fault";
}

export type CaseDatesInput = {
  separationType: SeparationType;
  /** The day the notice reached the employer, in the employee's time zone (law-calendar R2). */
  noticeDate: IsoDate;
  /** Today in the employee's time zone: a notice cannot arrive in the future. */
  today: IsoDate;
  /** The day the employee (or the agreement, the contract) names. */
  requestedLastDay?: IsoDate | null;
  /** An earlier (or other) day both sides agreed on, recorded by HR. */
  agreedLastDay?: IsoDate | null;
  probationEndDate?: IsoDate | null;
  contractEndDate?: IsoDate | null;
};

export type CaseDates = {
  noticeDate: IsoDate;
  /** The notice arrived on or before the last day of probation: Art. 37's 3-day period. */
  probation: boolean;
  /**
   * The earliest day the contract ends without anyone's agreement: Art. 37 notice + 30 (3 in
   * probation); Art. 38 the notice day itself; Art. 44 the contract's end date. None for Arts. 36,
   * 39–41, whose day is what the parties or the employer's notice name.
   */
  legalLastDay: IsoDate | null;
  requestedLastDay: IsoDate | null;
  agreedLastDay: IsoDate | null;
  /** The day in force: the agreed day, else the requested one, never before the legal day. */
  plannedLastDay: IsoDate;
  /** The employee asked for a day before the legal one and no agreement is recorded yet. */
  earlierDayNeedsAgreement: boolean;
};

/** The latest last day accepted: a day more than two years after the notice is a typo. */
export const maxDaysToLastDay = 731;

function unprocessable(message: string, messageKey: string, params: Record<string, string> = {}): AppError {
  return new AppError("unprocessable", message, { messageKey, params });
}

function notBeforeNotice(day: IsoDate, noticeDate: IsoDate, field: string): void {
  if (day < noticeDate) {
    throw unprocessable(
      `${field} ${day} is before the notice date ${noticeDate}.`,
      "case.day_before_notice",
      {
        field,
        day,
        noticeDate,
      },
    );
  }
}

/**
 * The dates of a case from its type and the facts (DESIGN §6). Throws a 422 AppError when the
 * facts break a rule: a notice dated in the future, a last day before the notice, a type that
 * needs a day nobody named.
 */
export function caseDates(input: CaseDatesInput): CaseDates {
  const { separationType: type, noticeDate } = input;
  if (noticeDate > input.today) {
    throw unprocessable(
      `The notice date ${noticeDate} is in the future (today is ${input.today}).`,
      "case.notice_in_future",
      { noticeDate, today: input.today },
    );
  }
  const requested = input.requestedLastDay ?? null;
  const agreed = input.agreedLastDay ?? null;
  if (requested) notBeforeNotice(requested, noticeDate, "requestedLastDay");
  if (agreed) notBeforeNotice(agreed, noticeDate, "agreedLastDay");
  const probation = input.probationEndDate != null && noticeDate <= input.probationEndDate;

  let legal: IsoDate | null;
  let named: IsoDate | null;
  switch (type) {
    case "resignation":
      legal = legalLastDay(noticeDate, probation);
      named = requested ?? legal;
      break;
    case "resignation-employer-fault":
      // Art. 38: no notice period; the contract may end the day the notice arrives.
      legal = noticeDate;
      named = requested ?? noticeDate;
      break;
    case "expiry":
      legal = input.contractEndDate ?? null;
      named = requested ?? legal;
      break;
    case "mutual":
    case "dismissal":
      legal = null;
      named = requested;
      break;
  }
  if (named === null) {
    throw unprocessable(
      `A ${type} case needs requestedLastDay: the day the contract ends.`,
      "case.last_day_required",
      { separationType: type },
    );
  }
  // An employee's day earlier than the legal one binds only once the employer agrees (Art. 37).
  const inForce = agreed ?? (legal === null ? named : maxDate(named, legal));
  if (inForce > addDays(noticeDate, maxDaysToLastDay)) {
    throw unprocessable(
      `The last day ${inForce} is more than two years after the notice.`,
      "case.last_day_too_far",
      { day: inForce },
    );
  }
  return {
    noticeDate,
    probation,
    legalLastDay: legal,
    requestedLastDay: requested,
    agreedLastDay: agreed,
    plannedLastDay: inForce,
    earlierDayNeedsAgreement: agreed === null && legal !== null && named < legal,
  };
}
