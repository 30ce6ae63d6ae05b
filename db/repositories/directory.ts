import { createHash, randomUUID } from "node:crypto";
import { and, asc, eq, gt, inArray, type SQL } from "drizzle-orm";
import type { EmployeeInput, Platform } from "../../core/directory/employee-input.ts";
import { platforms } from "../../core/directory/employee-input.ts";
import { managerChain, wouldCreateCycle } from "../../core/directory/manager-chain.ts";
import { maskEmail, maskTail } from "../../core/directory/masking.ts";
import { AppError } from "../../core/errors.ts";
import type { Db } from "../client.ts";
import { rehomeOpenSteps } from "../offboarding/rehome.ts";
import {
  employeeDataKeys,
  employeeIdentities,
  employees,
  entities,
  entityWageRates,
  identityChanges,
  type SealedField,
} from "../schema/index.ts";
import { type MasterKey, newDataKey, openField, sealField, unwrapDataKey } from "../sealing.ts";
import { recordEvidence } from "./evidence.ts";

type EmployeeRow = typeof employees.$inferSelect;
const sensitiveFields = ["personalEmail", "idNumber", "bankAccount"] as const;
type SensitiveField = (typeof sensitiveFields)[number];

export type EmployeeView = {
  externalId: string;
  name: string;
  email: string | null;
  locale: string;
  jurisdiction: string;
  timeZone: string;
  entity: string | null;
  department: string | null;
  role: string | null;
  position: string | null;
  managerExternalId: string | null;
  functions: string[];
  status: string;
  hireDate: string | null;
  serviceStartDate: string | null;
  probationEndDate: string | null;
  contractType: string | null;
  contractStartDate: string | null;
  contractEndDate: string | null;
  identities: Partial<Record<Platform, string>>;
  /** Masked unless read with `sensitive`; null when not set; "erased" after the data key is destroyed. */
  personalEmail: string | null;
  idNumber: string | null;
  bankAccount: string | null;
  personalDataErased: boolean;
  payFacts: {
    averageMonthlyWageFen: number | null;
    annualLeaveDays: number | null;
    annualLeaveTakenDays: number | null;
    updatedBy: string | null;
    updatedAt: string | null;
  };
  version: number;
  updatedAt: string;
};

const hash = (value: string) => createHash("sha256").update(value).digest("hex");

function unknownEmployee(externalId: string): AppError {
  return new AppError("not_found", `No employee has the id ${externalId}.`);
}

async function rowByExternalId(db: Db, externalId: string): Promise<EmployeeRow | undefined> {
  const rows = await db.select().from(employees).where(eq(employees.externalId, externalId));
  return rows[0];
}

async function dataKeyOf(db: Db, master: MasterKey, employeeId: string) {
  const rows = await db.select().from(employeeDataKeys).where(eq(employeeDataKeys.employeeId, employeeId));
  const row = rows[0];
  if (!row) return undefined;
  if (!row.wrappedKey) return { erased: true as const };
  return { erased: false as const, kid: row.kid, key: unwrapDataKey(master, employeeId, row.wrappedKey) };
}

function mask(field: SensitiveField, value: string): string {
  return field === "personalEmail" ? maskEmail(value) : maskTail(value);
}

/** Reads an employee, unsealing personal fields only when `sensitive` is asked for. */
async function view(db: Db, master: MasterKey, row: EmployeeRow, sensitive: boolean): Promise<EmployeeView> {
  const [manager, identityRows, key] = await Promise.all([
    row.managerId
      ? db.select({ externalId: employees.externalId }).from(employees).where(eq(employees.id, row.managerId))
      : Promise.resolve([]),
    db.select().from(employeeIdentities).where(eq(employeeIdentities.employeeId, row.id)),
    dataKeyOf(db, master, row.id),
  ]);
  const personal = (field: SensitiveField): string | null => {
    const sealed = row[field] as SealedField | null;
    if (!sealed) return null;
    if (!key || key.erased) return "erased";
    const plain = openField(key.key, row.id, field, sealed);
    return sensitive ? plain : mask(field, plain);
  };
  return {
    externalId: row.externalId,
    name: row.name,
    email: row.email,
    locale: row.locale,
    jurisdiction: row.jurisdiction,
    timeZone: row.timeZone,
    entity: row.entityId,
    department: row.department,
    role: row.role,
    position: row.position,
    managerExternalId: manager[0]?.externalId ?? null,
    functions: row.functions,
    status: row.status,
    hireDate: row.hireDate,
    serviceStartDate: row.serviceStartDate,
    probationEndDate: row.probationEndDate,
    contractType: row.contractType,
    contractStartDate: row.contractStartDate,
    contractEndDate: row.contractEndDate,
    identities: Object.fromEntries(identityRows.map((i) => [i.platform, i.platformUserId])),
    personalEmail: personal("personalEmail"),
    idNumber: personal("idNumber"),
    bankAccount: personal("bankAccount"),
    personalDataErased: key?.erased === true,
    payFacts: {
      averageMonthlyWageFen: row.averageMonthlyWageFen,
      annualLeaveDays: row.annualLeaveDays === null ? null : Number(row.annualLeaveDays),
      annualLeaveTakenDays: row.annualLeaveTakenDays === null ? null : Number(row.annualLeaveTakenDays),
      updatedBy: row.payFactsUpdatedBy,
      updatedAt: row.payFactsUpdatedAt?.toISOString() ?? null,
    },
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getEmployee(
  db: Db,
  master: MasterKey,
  externalId: string,
  options: { sensitive?: boolean } = {},
): Promise<EmployeeView> {
  const row = await rowByExternalId(db, externalId);
  if (!row) throw unknownEmployee(externalId);
  return view(db, master, row, options.sensitive === true);
}

export type EmployeeFilter = {
  status?: string;
  department?: string;
  role?: string;
  after?: string;
  limit: number;
};

/** A page of employees in externalId order, personal fields masked. */
export async function listEmployees(
  db: Db,
  master: MasterKey,
  filter: EmployeeFilter,
): Promise<EmployeeView[]> {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(employees.status, filter.status as EmployeeRow["status"]));
  if (filter.department) conditions.push(eq(employees.department, filter.department));
  if (filter.role) conditions.push(eq(employees.role, filter.role));
  if (filter.after) conditions.push(gt(employees.externalId, filter.after));
  const rows = await db
    .select()
    .from(employees)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(employees.externalId))
    .limit(filter.limit);
  const out: EmployeeView[] = [];
  for (const row of rows) out.push(await view(db, master, row, false));
  return out;
}

/** Who the actor is in the directory: their functions (hr, finance) when they are an employee. */
export async function functionsOf(db: Db, principal: string): Promise<string[]> {
  if (!principal.startsWith("employee:")) return [];
  const row = await rowByExternalId(db, principal.slice("employee:".length));
  return row && row.status === "active" ? row.functions : [];
}

export type UpsertResult = { created: boolean; changed: string[]; employee: EmployeeView };

/**
 * Creates or updates an employee inside the caller's transaction: manager must exist and not
 * report to them; personal fields are sealed under the employee's data key; identity changes
 * are kept in history; an evidence entry records which fields changed (names only, no values).
 */
export async function upsertEmployee(
  tx: Db,
  master: MasterKey,
  externalId: string,
  input: EmployeeInput,
  actor: string,
  now: Date,
): Promise<UpsertResult> {
  const existing = await rowByExternalId(tx, externalId);
  const id = existing?.id ?? randomUUID();

  let managerId: string | null = null;
  if (input.managerExternalId) {
    const manager = await rowByExternalId(tx, input.managerExternalId);
    if (!manager) {
      throw new AppError("unprocessable", `The manager ${input.managerExternalId} is not in the directory.`, {
        details: [{ field: "managerExternalId", message: "unknown employee" }],
      });
    }
    managerId = manager.id;
    if (existing) {
      const all = await tx.select({ id: employees.id, managerId: employees.managerId }).from(employees);
      const managerOf = new Map(all.map((r) => [r.id, r.managerId]));
      if (wouldCreateCycle(id, managerId, (x) => managerOf.get(x))) {
        throw new AppError(
          "unprocessable",
          `${input.managerExternalId} reports to ${externalId}; that would be a cycle.`,
          {
            details: [{ field: "managerExternalId", message: "would make a reporting cycle" }],
          },
        );
      }
    }
  }
  if (input.entity) {
    const entity = await tx.select({ id: entities.id }).from(entities).where(eq(entities.id, input.entity));
    if (entity.length === 0) {
      throw new AppError("unprocessable", `The employing entity ${input.entity} does not exist.`, {
        details: [{ field: "entity", message: "unknown entity" }],
      });
    }
  }

  let key = existing ? await dataKeyOf(tx, master, id) : undefined;
  const wantsPersonal = sensitiveFields.some((f) => input[f]);
  if (key?.erased && wantsPersonal) {
    throw new AppError(
      "unprocessable",
      "This employee's personal data was erased; it cannot be stored again.",
    );
  }

  const plain = {
    name: input.name,
    email: input.email ?? null,
    locale: input.locale,
    jurisdiction: input.jurisdiction,
    timeZone: input.timeZone,
    entityId: input.entity ?? null,
    department: input.department ?? null,
    role: input.role ?? null,
    position: input.position ?? null,
    managerId,
    functions: [...input.functions].sort(),
    status: input.status,
    hireDate: input.hireDate ?? null,
    serviceStartDate: input.serviceStartDate ?? null,
    probationEndDate: input.probationEndDate ?? null,
    contractType: input.contractType ?? null,
    contractStartDate: input.contractStartDate ?? null,
    contractEndDate: input.contractEndDate ?? null,
  };
  const changed = existing
    ? Object.entries(plain)
        .filter(
          ([field, value]) => JSON.stringify(existing[field as keyof EmployeeRow]) !== JSON.stringify(value),
        )
        .map(([field]) => field)
    : Object.keys(plain);

  if (!existing) {
    await tx.insert(employees).values({ id, externalId, ...plain, createdAt: now, updatedAt: now });
  }

  const sealed: Partial<Record<SensitiveField, SealedField | null>> = {};
  if (wantsPersonal && !key) {
    const fresh = newDataKey(master, id);
    await tx.insert(employeeDataKeys).values({
      employeeId: id,
      kid: fresh.kid,
      wrappedKey: fresh.wrapped,
      masterKid: master.kid,
      createdAt: now,
    });
    key = { erased: false, kid: fresh.kid, key: fresh.key };
  }
  for (const field of sensitiveFields) {
    const value = input[field];
    if (value === undefined) continue; // absent: keep what is stored
    if (value === null) {
      if (existing?.[field]) changed.push(field);
      sealed[field] = null;
      continue;
    }
    if (key && !key.erased) {
      const current = existing?.[field] as SealedField | null | undefined;
      if (!current || openField(key.key, id, field, current) !== value) changed.push(field);
      sealed[field] = sealField(key.key, key.kid, id, field, value);
    }
  }

  if (existing) {
    await tx
      .update(employees)
      .set({ ...plain, ...sealed, version: existing.version + (changed.length ? 1 : 0), updatedAt: now })
      .where(eq(employees.id, id));
  } else if (Object.keys(sealed).length) {
    await tx.update(employees).set(sealed).where(eq(employees.id, id));
  }

  changed.push(...(await setIdentities(tx, id, input.identities, actor, now)));

  if (!existing || changed.length) {
    await recordEvidence(tx, {
      at: now,
      actor,
      action: existing ? "employee.updated" : "employee.created",
      subject: `employee:${externalId}`,
      data: { fields: [...new Set(changed)].sort() },
    });
  }
  // A new manager, or an owner who is no longer active, moves open offboarding steps (DESIGN §6).
  if (existing && (changed.includes("managerId") || changed.includes("status"))) {
    await rehomeOpenSteps(tx, { employeeId: id, actor, now });
  }
  const row = await rowByExternalId(tx, externalId);
  return {
    created: !existing,
    changed: [...new Set(changed)].sort(),
    employee: await view(tx, master, row as EmployeeRow, false),
  };
}

/** Sets the identities named in `wanted` (others stay); each change goes to history and evidence. */
async function setIdentities(
  tx: Db,
  employeeId: string,
  wanted: Partial<Record<Platform, string>>,
  actor: string,
  now: Date,
): Promise<string[]> {
  const changed: string[] = [];
  const current = await tx
    .select()
    .from(employeeIdentities)
    .where(eq(employeeIdentities.employeeId, employeeId));
  for (const platform of platforms) {
    const next = wanted[platform];
    if (next === undefined) continue;
    const previous = current.find((c) => c.platform === platform)?.platformUserId ?? null;
    if (previous === next) continue;
    const taken = await tx
      .select({ employeeId: employeeIdentities.employeeId })
      .from(employeeIdentities)
      .where(and(eq(employeeIdentities.platform, platform), eq(employeeIdentities.platformUserId, next)));
    if (taken[0] && taken[0].employeeId !== employeeId) {
      throw new AppError("conflict", `The ${platform} id is already linked to another employee.`, {
        details: [{ field: `identities.${platform}`, message: "already linked to another employee" }],
      });
    }
    await tx
      .insert(employeeIdentities)
      .values({ employeeId, platform, platformUserId: next, updatedAt: now })
      .onConflictDoUpdate({
        target: [employeeIdentities.employeeId, employeeIdentities.platform],
        set: { platformUserId: next, updatedAt: now },
      });
    await tx.insert(identityChanges).values({
      id: randomUUID(),
      employeeId,
      platform,
      previousId: previous,
      newId: next,
      changedBy: actor,
      changedAt: now,
    });
    await recordEvidence(tx, {
      at: now,
      actor,
      action: "employee.identity.changed",
      subject: `employee-id:${employeeId}`,
      data: { platform, previousIdHash: previous ? hash(previous) : null, newIdHash: hash(next) },
    });
    changed.push(`identities.${platform}`);
  }
  return changed;
}

/**
 * Links one platform identity of an existing employee (directory sync from a platform's contacts):
 * history and evidence as for an upsert; a platform id linked to someone else is a 409. Answers
 * whether anything changed; an unknown employee is `undefined`.
 */
export async function setPlatformIdentity(
  tx: Db,
  input: { externalId: string; platform: Platform; platformUserId: string; actor: string; now: Date },
): Promise<boolean | undefined> {
  const row = await rowByExternalId(tx, input.externalId);
  if (!row) return undefined;
  const changed = await setIdentities(
    tx,
    row.id,
    { [input.platform]: input.platformUserId },
    input.actor,
    input.now,
  );
  return changed.length > 0;
}

/** The history of an employee's platform identities, newest first. */
export async function identityHistory(db: Db, externalId: string) {
  const row = await rowByExternalId(db, externalId);
  if (!row) throw unknownEmployee(externalId);
  const rows = await db.select().from(identityChanges).where(eq(identityChanges.employeeId, row.id));
  return rows
    .sort((a, b) => b.changedAt.getTime() - a.changedAt.getTime())
    .map((r) => ({
      platform: r.platform,
      previousId: r.previousId,
      newId: r.newId,
      changedBy: r.changedBy,
      changedAt: r.changedAt.toISOString(),
    }));
}

/** The 12-month average wage and leave figures, entered by HR or finance. */
export async function setPayFacts(
  tx: Db,
  externalId: string,
  facts: {
    averageMonthlyWageFen?: number | null;
    annualLeaveDays?: number | null;
    annualLeaveTakenDays?: number | null;
  },
  actor: string,
  now: Date,
): Promise<void> {
  const row = await rowByExternalId(tx, externalId);
  if (!row) throw unknownEmployee(externalId);
  const set: Partial<typeof employees.$inferInsert> = {
    payFactsUpdatedBy: actor,
    payFactsUpdatedAt: now,
    updatedAt: now,
  };
  if (facts.averageMonthlyWageFen !== undefined) set.averageMonthlyWageFen = facts.averageMonthlyWageFen;
  if (facts.annualLeaveDays !== undefined) set.annualLeaveDays = facts.annualLeaveDays?.toString() ?? null;
  if (facts.annualLeaveTakenDays !== undefined)
    set.annualLeaveTakenDays = facts.annualLeaveTakenDays?.toString() ?? null;
  await tx.update(employees).set(set).where(eq(employees.id, row.id));
  await recordEvidence(tx, {
    at: now,
    actor,
    action: "employee.pay-facts.updated",
    subject: `employee:${externalId}`,
    data: { fields: Object.keys(facts).sort() },
  });
}

/** Destroys the employee's data key: their sealed fields become unreadable for good. */
export async function erasePersonalData(
  tx: Db,
  externalId: string,
  actor: string,
  reason: string,
  now: Date,
) {
  const row = await rowByExternalId(tx, externalId);
  if (!row) throw unknownEmployee(externalId);
  await tx
    .insert(employeeDataKeys)
    .values({
      employeeId: row.id,
      kid: "none",
      wrappedKey: null,
      masterKid: "none",
      createdAt: now,
      destroyedAt: now,
    })
    .onConflictDoUpdate({ target: employeeDataKeys.employeeId, set: { wrappedKey: null, destroyedAt: now } });
  await recordEvidence(tx, {
    at: now,
    actor,
    action: "employee.personal-data.erased",
    subject: `employee:${externalId}`,
    data: { reasonHash: hash(reason) },
  });
}

/** The employee's managers, nearest first. */
export async function managerChainOf(
  db: Db,
  externalId: string,
): Promise<{ externalId: string; name: string }[]> {
  const row = await rowByExternalId(db, externalId);
  if (!row) throw unknownEmployee(externalId);
  const all = await db
    .select({
      id: employees.id,
      managerId: employees.managerId,
      externalId: employees.externalId,
      name: employees.name,
    })
    .from(employees);
  const byId = new Map(all.map((r) => [r.id, r]));
  return managerChain(row.id, (id) => byId.get(id)?.managerId).map((id) => {
    const m = byId.get(id) as { externalId: string; name: string };
    return { externalId: m.externalId, name: m.name };
  });
}

/** External ids that exist already, of those asked about. */
export async function existingExternalIds(db: Db, externalIds: string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const rows = await db
    .select({ externalId: employees.externalId })
    .from(employees)
    .where(inArray(employees.externalId, externalIds));
  return new Set(rows.map((r) => r.externalId));
}

export type EntityInput = {
  name: string;
  city: string;
  calendarRegion: string;
  wageRates?: { kind: "minimum_monthly" | "average_monthly"; amountFen: number; effectiveFrom: string }[];
};

export async function upsertEntity(
  tx: Db,
  id: string,
  input: EntityInput,
  actor: string,
  now: Date,
): Promise<void> {
  await tx
    .insert(entities)
    .values({
      id,
      name: input.name,
      city: input.city,
      calendarRegion: input.calendarRegion,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: entities.id,
      set: { name: input.name, city: input.city, calendarRegion: input.calendarRegion, updatedAt: now },
    });
  for (const rate of input.wageRates ?? []) {
    await tx
      .insert(entityWageRates)
      .values({ entityId: id, ...rate })
      .onConflictDoUpdate({
        target: [entityWageRates.entityId, entityWageRates.kind, entityWageRates.effectiveFrom],
        set: { amountFen: rate.amountFen },
      });
  }
  await recordEvidence(tx, { at: now, actor, action: "entity.upserted", subject: `entity:${id}`, data: {} });
}

export async function listEntities(db: Db) {
  const [rows, rates] = await Promise.all([
    db.select().from(entities).orderBy(asc(entities.id)),
    db.select().from(entityWageRates).orderBy(asc(entityWageRates.effectiveFrom)),
  ]);
  return rows.map((e) => ({
    id: e.id,
    name: e.name,
    city: e.city,
    calendarRegion: e.calendarRegion,
    wageRates: rates
      .filter((r) => r.entityId === e.id)
      .map((r) => ({ kind: r.kind, amountFen: r.amountFen, effectiveFrom: r.effectiveFrom })),
  }));
}

/** The wage of `kind` in force on `date` for the entity (the latest effective on or before it). */
export async function wageRateOn(
  db: Db,
  entityId: string,
  kind: "minimum_monthly" | "average_monthly",
  date: string,
): Promise<{ amountFen: number; effectiveFrom: string } | undefined> {
  const rows = await db
    .select()
    .from(entityWageRates)
    .where(and(eq(entityWageRates.entityId, entityId), eq(entityWageRates.kind, kind)));
  const applicable = rows
    .filter((r) => r.effectiveFrom <= date)
    .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  const found = applicable[0];
  return found ? { amountFen: found.amountFen, effectiveFrom: found.effectiveFrom } : undefined;
}
