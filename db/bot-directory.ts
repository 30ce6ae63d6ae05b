import { and, asc, eq, ilike, inArray, ne, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "./client.ts";
import { employeeIdentities, employees } from "./schema/index.ts";

/** The directory as the chat bot needs it: who someone is, and people to pick. */
export type ChatPerson = {
  externalId: string;
  name: string;
  locale: string;
  timeZone: string;
  status: "active" | "deactivated" | "left";
  probationEndDate: string | null;
  functions: string[];
  entityId: string | null;
  /** Someone reports to them. */
  managesPeople: boolean;
};

const personColumns = {
  id: employees.id,
  externalId: employees.externalId,
  name: employees.name,
  locale: employees.locale,
  timeZone: employees.timeZone,
  status: employees.status,
  probationEndDate: employees.probationEndDate,
  functions: employees.functions,
  entityId: employees.entityId,
};

type Row = { [K in keyof typeof personColumns]: (typeof employees.$inferSelect)[K] };

async function withReports(db: Db, row: Row | undefined): Promise<ChatPerson | undefined> {
  if (!row) return undefined;
  const reports = alias(employees, "reports");
  const [report] = await db
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.managerId, row.id), eq(reports.status, "active")))
    .limit(1);
  const { id: _id, ...person } = row;
  return { ...person, managesPeople: report !== undefined };
}

/** The employee with this external id. */
export async function chatPersonByExternalId(db: Db, externalId: string): Promise<ChatPerson | undefined> {
  const [row] = await db.select(personColumns).from(employees).where(eq(employees.externalId, externalId));
  return withReports(db, row);
}

/**
 * The employee an admin linked to this platform user id (DESIGN §7: stored identities, never an
 * e-mail the user can set).
 */
export async function chatPersonByIdentity(
  db: Db,
  platform: string,
  platformUserId: string,
): Promise<ChatPerson | undefined> {
  const [row] = await db
    .select(personColumns)
    .from(employeeIdentities)
    .innerJoin(employees, eq(employees.id, employeeIdentities.employeeId))
    .where(
      and(eq(employeeIdentities.platform, platform), eq(employeeIdentities.platformUserId, platformUserId)),
    );
  return withReports(db, row);
}

/**
 * {@link chatPersonByIdentity} for many platform user ids at once (two queries whatever their
 * number): the people found, by platform user id.
 */
export async function chatPeopleByIdentity(
  db: Db,
  platform: string,
  platformUserIds: readonly string[],
): Promise<Map<string, ChatPerson>> {
  const ids = [...new Set(platformUserIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ ...personColumns, platformUserId: employeeIdentities.platformUserId })
    .from(employeeIdentities)
    .innerJoin(employees, eq(employees.id, employeeIdentities.employeeId))
    .where(and(eq(employeeIdentities.platform, platform), inArray(employeeIdentities.platformUserId, ids)));
  if (rows.length === 0) return new Map();
  const managers = await db
    .selectDistinct({ managerId: employees.managerId })
    .from(employees)
    .where(
      and(
        inArray(
          employees.managerId,
          rows.map((r) => r.id),
        ),
        eq(employees.status, "active"),
      ),
    );
  const managing = new Set(managers.map((m) => m.managerId));
  return new Map(
    rows.map(({ id, platformUserId, ...person }) => [
      platformUserId,
      { ...person, managesPeople: managing.has(id) },
    ]),
  );
}

/** `%`, `_` and `\` typed by a person match themselves. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export type PersonOption = { externalId: string; name: string };

/**
 * Active people whose name or employee id contains `query` (case-insensitive), those whose id or
 * name starts with it first, at most `limit`. Works on any directory size: one indexed-order query.
 */
export async function searchPeople(db: Db, query: string, limit: number): Promise<PersonOption[]> {
  const text = query.normalize("NFKC").trim().slice(0, 64);
  if (text.length === 0) return [];
  const pattern = likePattern(text);
  const prefix = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db
    .select({ externalId: employees.externalId, name: employees.name })
    .from(employees)
    .where(
      and(
        eq(employees.status, "active"),
        or(ilike(employees.name, pattern), ilike(employees.externalId, pattern)),
      ),
    )
    .orderBy(
      sql`case when ${employees.externalId} ilike ${prefix} or ${employees.name} ilike ${prefix} then 0 else 1 end`,
      asc(employees.name),
      asc(employees.externalId),
    )
    .limit(limit);
  return rows;
}

/** Active colleagues of an employee (the same manager's reports, and that manager), not themself. */
export async function colleaguesOf(db: Db, externalId: string, limit: number): Promise<PersonOption[]> {
  const [person] = await db
    .select({ id: employees.id, managerId: employees.managerId })
    .from(employees)
    .where(eq(employees.externalId, externalId));
  if (!person?.managerId) return [];
  return db
    .select({ externalId: employees.externalId, name: employees.name })
    .from(employees)
    .where(
      and(
        eq(employees.status, "active"),
        ne(employees.id, person.id),
        or(eq(employees.managerId, person.managerId), eq(employees.id, person.managerId)),
      ),
    )
    .orderBy(asc(employees.name), asc(employees.externalId))
    .limit(limit);
}

/** Names by external id (unknown ids are left out). */
export async function namesOf(db: Db, externalIds: readonly string[]): Promise<Record<string, string>> {
  const ids = [...new Set(externalIds)];
  if (ids.length === 0) return {};
  const rows = await db
    .select({ externalId: employees.externalId, name: employees.name })
    .from(employees)
    .where(inArray(employees.externalId, ids));
  return Object.fromEntries(rows.map((r) => [r.externalId, r.name]));
}
