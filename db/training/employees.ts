import { eq } from "drizzle-orm";
import { AppError } from "../../core/errors.ts";
import type { Db } from "../client.ts";
import { employees } from "../schema/index.ts";

/** What training needs to know about an employee (the name only for a certificate's masked holder). */
export type Trainee = {
  id: string;
  externalId: string;
  name: string;
  locale: "zh-CN" | "en";
  timeZone: string;
  jurisdiction: string;
  role: string | null;
  department: string | null;
  entityId: string | null;
  status: "active" | "deactivated" | "left";
};

const columns = {
  id: employees.id,
  externalId: employees.externalId,
  name: employees.name,
  locale: employees.locale,
  timeZone: employees.timeZone,
  jurisdiction: employees.jurisdiction,
  role: employees.role,
  department: employees.department,
  entityId: employees.entityId,
  status: employees.status,
};

function trainee(row: { locale: string } & Omit<Trainee, "locale">): Trainee {
  return { ...row, locale: row.locale === "en" ? "en" : "zh-CN" };
}

export async function traineeByExternalId(db: Db, externalId: string): Promise<Trainee> {
  const [row] = await db.select(columns).from(employees).where(eq(employees.externalId, externalId));
  if (!row) throw new AppError("not_found", `No employee has the id ${externalId}.`);
  return trainee(row);
}

export async function traineeById(db: Db, id: string): Promise<Trainee> {
  const [row] = await db.select(columns).from(employees).where(eq(employees.id, id));
  if (!row) throw new AppError("not_found", "The employee of this assignment is no longer in the directory.");
  return trainee(row);
}
