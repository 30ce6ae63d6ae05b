import { bigint, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { OwedItem } from "../../core/compliance/settlement.ts";
import type { SeveranceFacts } from "../../core/compliance/severance-entitlement.ts";
import { createdAt } from "./columns.ts";
import { cases } from "./offboarding.ts";

/**
 * A case's settlement (DESIGN §6): finance's answer about what the employee owes, the final wages
 * from payroll, and the facts HR records that decide severance. The amounts owed to the employee
 * are computed on reading, from these and the directory's pay facts.
 */
export const settlements = pgTable("settlements", {
  caseId: text("case_id")
    .primaryKey()
    .references(() => cases.id),
  financeStatus: text("finance_status")
    .$type<"not-requested" | "requested" | "outstanding" | "settled">()
    .notNull()
    .default("not-requested"),
  financeItems: jsonb("finance_items").$type<OwedItem[]>().notNull().default([]),
  financeRequestedAt: timestamp("finance_requested_at", { withTimezone: true, mode: "date" }),
  financeAnsweredAt: timestamp("finance_answered_at", { withTimezone: true, mode: "date" }),
  finalWagesFen: bigint("final_wages_fen", { mode: "number" }),
  /** Who gave the final wages: finance's system (`finance`) or a person (`entered`). */
  finalWagesSource: text("final_wages_source").$type<"finance" | "entered">(),
  severanceFacts: jsonb("severance_facts").$type<SeveranceFacts>().notNull().default({}),
  updatedBy: text("updated_by").notNull(),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Accounts the CRM lists for a leaver's handover; each is a checklist item of the handover step. */
export const handoverAccounts = pgTable(
  "handover_accounts",
  {
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    kind: text("kind"),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.accountId] })],
);
