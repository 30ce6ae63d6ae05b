import { AppError } from "../../core/errors.ts";

/** The errors completing a step and saving its checklist share. */

export const ownCase = () =>
  new AppError("forbidden", "Nobody acts on the approvals of their own case.", {
    messageKey: "case.own_case",
  });

export const reasonRequired = () =>
  new AppError("unprocessable", "Acting on someone else's behalf needs a reason in note.", {
    messageKey: "case.reason_required",
  });

/** 422: the step's data (receiver, checklist) is not what the step takes. */
export function badData(message: string, details?: unknown): AppError {
  return new AppError("unprocessable", message, {
    messageKey: "case.step_data",
    params: { problem: message },
    details,
  });
}

const namedUnknown = 20;

/** 422 naming the checklist items the step does not have (at most 20 of them). */
export function unknownItems(ids: readonly string[]): AppError {
  const named = ids.slice(0, namedUnknown).join(", ");
  const more = ids.length > namedUnknown ? ` and ${ids.length - namedUnknown} more` : "";
  return badData(`unknown checklist items: ${named}${more}`);
}

export const stepNotFound = (key: string) =>
  new AppError("not_found", `The case has no step ${key}.`, {
    messageKey: "case.step_not_found",
    params: { step: key },
  });

export const stepNotStarted = (key: string) =>
  new AppError("conflict", `The ${key} step has not started yet.`, {
    messageKey: "case.step_not_started",
    params: { step: key },
  });
