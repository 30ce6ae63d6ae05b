import { z } from "zod";
import { isIsoDate, isTimeZone } from "../compliance/dates.ts";

export const platforms = ["slack", "lark", "dingtalk", "teams"] as const;
export type Platform = (typeof platforms)[number];

export const employeeFunctions = ["hr", "finance"] as const;
export type EmployeeFunction = (typeof employeeFunctions)[number];

export const externalIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const isoDate = z.string().refine(isIsoDate, { message: "must be a date YYYY-MM-DD that exists" });
const optionalDate = isoDate.nullable().optional();
const platformId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, { message: "must be a platform id without spaces" });

/** The body of `PUT /api/v1/employees/:externalId`, and one row of an import. */
export const employeeInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    email: z.email().max(254).nullable().optional(),
    personalEmail: z.email().max(254).nullable().optional(),
    idNumber: z.string().trim().min(4).max(40).nullable().optional(),
    bankAccount: z.string().trim().min(4).max(64).nullable().optional(),
    locale: z.enum(["zh-CN", "en"]).default("zh-CN"),
    jurisdiction: z
      .string()
      .regex(/^[A-Z]{2}$/, { message: "must be an ISO 3166 country code such as CN" })
      .default("CN"),
    timeZone: z
      .string()
      .refine(isTimeZone, { message: "must be an IANA time zone" })
      .default("Asia/Shanghai"),
    entity: z.string().regex(externalIdPattern).nullable().optional(),
    department: z.string().trim().max(100).nullable().optional(),
    role: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, { message: "must be a lower-case role name such as engineering" })
      .nullable()
      .optional(),
    position: z.string().trim().max(100).nullable().optional(),
    managerExternalId: z.string().regex(externalIdPattern).nullable().optional(),
    functions: z.array(z.enum(employeeFunctions)).max(2).default([]),
    status: z.enum(["active", "deactivated", "left"]).default("active"),
    hireDate: optionalDate,
    serviceStartDate: optionalDate,
    probationEndDate: optionalDate,
    contractType: z.enum(["fixed", "open-ended", "task"]).nullable().optional(),
    contractStartDate: optionalDate,
    contractEndDate: optionalDate,
    identities: z
      .object({ slack: platformId, lark: platformId, dingtalk: platformId, teams: platformId })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

export type EmployeeInput = z.output<typeof employeeInput>;

/** Rules across fields; each problem names its field. */
export function employeeInputProblems(
  externalId: string,
  input: EmployeeInput,
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (input.managerExternalId === externalId) {
    problems.push({ field: "managerExternalId", message: "an employee cannot be their own manager" });
  }
  if (input.probationEndDate && input.hireDate && input.probationEndDate < input.hireDate) {
    problems.push({ field: "probationEndDate", message: "must not be before hireDate" });
  }
  if (input.contractEndDate && input.contractStartDate && input.contractEndDate < input.contractStartDate) {
    problems.push({ field: "contractEndDate", message: "must not be before contractStartDate" });
  }
  if (input.contractType === "open-ended" && input.contractEndDate) {
    problems.push({ field: "contractEndDate", message: "an open-ended contract has no end date" });
  }
  if (input.serviceStartDate && input.hireDate && input.serviceStartDate > input.hireDate) {
    problems.push({ field: "serviceStartDate", message: "must not be after hireDate" });
  }
  return problems;
}
