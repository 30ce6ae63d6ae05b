import type { Context } from "hono";
import type { z } from "zod";
import { zoneOffset } from "../../../core/compliance/local-time.ts";
import { AppError, isAppError } from "../../../core/errors.ts";
import type { HrEnv } from "./guard.ts";
import { errorText, type PageStatus, pageStatusOf } from "./layout.ts";

/** Fields a person must fill in with a reason; an empty one is named as such. */
const reasonFields = new Set(["reason", "basis"]);

/**
 * Reads form values with the schema the REST API reads the same request with. A wrong or missing
 * field is a 422 shown on the page (the form was sent as it should be; what was typed breaks a rule).
 */
export function parseForm<S extends z.ZodType>(schema: S, values: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const fields = [...new Set(result.error.issues.map((issue) => issue.path.join(".")))];
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join("."),
    code: issue.code,
    message: issue.message,
  }));
  if (fields.some((f) => reasonFields.has(f))) {
    throw new AppError("unprocessable", "Give a reason.", { messageKey: "hr.form.reason_required", details });
  }
  throw new AppError("unprocessable", "Check the fields.", {
    messageKey: "hr.form.invalid",
    params: { fields: fields.join(", ") },
    details,
  });
}

/** A text field, or nothing when left empty (optional fields of a form). */
export function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Runs a console form's action: on success a 303 to `doneUrl(done)`; when the action broke a rule
 * the page shows why with the error's status (`showFailure`); any other error propagates.
 */
export async function runFormAction<D extends string>(
  c: Context<HrEnv>,
  run: () => Promise<D>,
  doneUrl: (done: D) => string,
  showFailure: (flash: { ok: false; text: string }, status: PageStatus) => Promise<Response>,
): Promise<Response> {
  let done: D;
  try {
    done = await run();
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = pageStatusOf(error);
    if (status === undefined) throw error;
    return showFailure({ ok: false, text: errorText(c.get("hr").locale, error) }, status);
  }
  return c.redirect(doneUrl(done), 303);
}

function offsetMinutes(instant: Date, timeZone: string): number {
  return Math.round(zoneOffset(instant, timeZone) / 60_000);
}

/**
 * A `datetime-local` value (`2026-03-02T10:30`) read in `timeZone`, as RFC 3339 with the zone's
 * offset; undefined when empty, the value itself when it is not of that form (the schema refuses it).
 */
export function localDateTime(value: string | undefined, timeZone: string): string | undefined {
  const text = optional(value);
  if (text === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!match) return text;
  const [, y, mo, d, h, mi, s = "0"] = match;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(wall)) return text;
  let offset = offsetMinutes(new Date(wall), timeZone);
  offset = offsetMinutes(new Date(wall - offset * 60_000), timeZone);
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${y}-${mo}-${d}T${h}:${mi}:${pad(Number(s))}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
