import {
  type AnyPgColumn,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";

/** A field encrypted under the employee's data key: AES-256-GCM, base64 parts. */
export type SealedField = { kid: string; iv: string; ct: string };

/** Employing entities: the legal employer named on contracts and certificates. */
export const entities = pgTable("entities", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  city: text("city").notNull(),
  calendarRegion: text("calendar_region").notNull().default("CN"),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Local minimum and average monthly wages (in fen) with the date each applies from. */
export const entityWageRates = pgTable(
  "entity_wage_rates",
  {
    entityId: text("entity_id")
      .notNull()
      .references(() => entities.id),
    kind: text("kind").$type<"minimum_monthly" | "average_monthly">().notNull(),
    amountFen: integer("amount_fen").notNull(),
    effectiveFrom: date("effective_from", { mode: "string" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityId, t.kind, t.effectiveFrom] })],
);

export const employees = pgTable(
  "employees",
  {
    id: text("id").primaryKey(),
    externalId: text("external_id").notNull().unique(),
    name: text("name").notNull(),
    email: text("email"),
    locale: text("locale").notNull().default("zh-CN"),
    jurisdiction: text("jurisdiction").notNull().default("CN"),
    timeZone: text("time_zone").notNull().default("Asia/Shanghai"),
    entityId: text("entity_id").references(() => entities.id),
    department: text("department"),
    role: text("role"),
    position: text("position"),
    managerId: text("manager_id").references((): AnyPgColumn => employees.id),
    functions: jsonb("functions").$type<string[]>().notNull().default([]),
    status: text("status").$type<"active" | "deactivated" | "left">().notNull().default("active"),
    hireDate: date("hire_date", { mode: "string" }),
    serviceStartDate: date("service_start_date", { mode: "string" }),
    probationEndDate: date("probation_end_date", { mode: "string" }),
    contractType: text("contract_type").$type<"fixed" | "open-ended" | "task">(),
    contractStartDate: date("contract_start_date", { mode: "string" }),
    contractEndDate: date("contract_end_date", { mode: "string" }),
    personalEmail: jsonb("personal_email").$type<SealedField>(),
    idNumber: jsonb("id_number").$type<SealedField>(),
    bankAccount: jsonb("bank_account").$type<SealedField>(),
    averageMonthlyWageFen: integer("average_monthly_wage_fen"),
    annualLeaveDays: numeric("annual_leave_days", { precision: 5, scale: 1 }),
    annualLeaveTakenDays: numeric("annual_leave_taken_days", { precision: 5, scale: 1 }),
    payFactsUpdatedBy: text("pay_facts_updated_by"),
    payFactsUpdatedAt: timestamp("pay_facts_updated_at", { withTimezone: true, mode: "date" }),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("employees_manager_idx").on(t.managerId), index("employees_entity_idx").on(t.entityId)],
);

/** Each employee's data key, wrapped by the master encryption key. Destroying it erases the sealed fields. */
export const employeeDataKeys = pgTable("employee_data_keys", {
  employeeId: text("employee_id")
    .primaryKey()
    .references(() => employees.id),
  kid: text("kid").notNull(),
  wrappedKey: text("wrapped_key"),
  masterKid: text("master_kid").notNull(),
  createdAt: createdAt(),
  destroyedAt: timestamp("destroyed_at", { withTimezone: true, mode: "date" }),
});

/** Platform identities (Slack user id, Lark open_id, …): admins set them; people are matched by them. */
export const employeeIdentities = pgTable(
  "employee_identities",
  {
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    platform: text("platform").notNull(),
    platformUserId: text("platform_user_id").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.employeeId, t.platform] }), unique().on(t.platform, t.platformUserId)],
);

/** Every change of a platform identity, with who changed it. */
export const identityChanges = pgTable(
  "identity_changes",
  {
    id: text("id").primaryKey(),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    platform: text("platform").notNull(),
    previousId: text("previous_id"),
    newId: text("new_id"),
    changedBy: text("changed_by").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("identity_changes_employee_idx").on(t.employeeId)],
);
