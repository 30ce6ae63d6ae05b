import { z } from "zod";
import { isIsoDate } from "../../../core/compliance/dates.ts";

const date = z.string().refine(isIsoDate, { message: "expected a real date YYYY-MM-DD" });

/**
 * What an OA system sends when an employee's resignation is filed or approved there. Either way
 * it becomes a case the same way as `POST /api/v1/resignations`: the Art. 37 notice needs no
 * approval, so "approved" and "submitted" differ only in wording; `noticeDate` is the day the
 * notice reached the employer.
 */
export const oaEvent = z.object({
  type: z.enum(["resignation.approved", "resignation.submitted"]),
  employeeExternalId: z.string().min(1).max(64),
  noticeDate: date,
  requestedLastDay: date.optional(),
  reason: z.string().max(2000).optional(),
});

export type OaEvent = z.output<typeof oaEvent>;
