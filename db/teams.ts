import { and, desc, eq, inArray, or } from "drizzle-orm";
import type { Db } from "./client.ts";
import { employeeIdentities, employees, teamsDeliveries, teamsReferences } from "./schema/index.ts";

/** The platform name of Teams identities in `employee_identities` (a `29:…` id or an Entra object id). */
export const teamsPlatform = "teams";

export type TeamsReferenceRow = {
  key: string;
  kind: "personal" | "group";
  userId: string | null;
  aadObjectId: string | null;
  conversationId: string;
  tenantId: string | null;
  serviceUrl: string;
  reference: Record<string, unknown>;
  updatedAt: Date;
};

/** Keeps (or refreshes) a conversation reference; the last activity wins. */
export async function saveTeamsReference(db: Db, row: TeamsReferenceRow): Promise<void> {
  const { key, ...rest } = row;
  await db.insert(teamsReferences).values(row).onConflictDoUpdate({ target: teamsReferences.key, set: rest });
}

/** The newest 1:1 chat reference of a person known by any of `ids` (their `29:…` id or Entra object id). */
export async function personalTeamsReference(
  db: Db,
  ids: readonly string[],
): Promise<TeamsReferenceRow | undefined> {
  const wanted = ids.filter((id) => id.length > 0);
  if (wanted.length === 0) return undefined;
  const [row] = await db
    .select()
    .from(teamsReferences)
    .where(
      and(
        eq(teamsReferences.kind, "personal"),
        or(inArray(teamsReferences.userId, wanted), inArray(teamsReferences.aadObjectId, wanted)),
      ),
    )
    .orderBy(desc(teamsReferences.updatedAt))
    .limit(1);
  return row;
}

/** The reference of a group chat or channel, by its conversation id (without `;messageid=`). */
export async function groupTeamsReference(
  db: Db,
  conversationId: string,
): Promise<TeamsReferenceRow | undefined> {
  const [row] = await db
    .select()
    .from(teamsReferences)
    .where(and(eq(teamsReferences.kind, "group"), eq(teamsReferences.conversationId, conversationId)))
    .orderBy(desc(teamsReferences.updatedAt))
    .limit(1);
  return row;
}

/**
 * The newest reference of a tenant (any conversation): where to open a 1:1 chat with someone new
 * (its regional service URL) and the bot's id there.
 */
export async function latestTeamsReference(
  db: Db,
  tenantId: string | undefined,
): Promise<TeamsReferenceRow | undefined> {
  const [row] = await db
    .select()
    .from(teamsReferences)
    .where(tenantId ? eq(teamsReferences.tenantId, tenantId) : undefined)
    .orderBy(desc(teamsReferences.updatedAt))
    .limit(1);
  return row;
}

export async function deleteTeamsReference(db: Db, key: string): Promise<void> {
  await db.delete(teamsReferences).where(eq(teamsReferences.key, key));
}

/** Whether an outbox row already went to this conversation (its activity id, when it did). */
export async function teamsDelivery(
  db: Db,
  sourceKey: string,
  conversationId: string,
): Promise<{ activityId: string | null } | undefined> {
  const [row] = await db
    .select({ activityId: teamsDeliveries.activityId })
    .from(teamsDeliveries)
    .where(and(eq(teamsDeliveries.sourceKey, sourceKey), eq(teamsDeliveries.conversationId, conversationId)));
  return row;
}

export async function recordTeamsDelivery(
  db: Db,
  input: { sourceKey: string; conversationId: string; activityId: string | undefined; at: Date },
): Promise<void> {
  await db
    .insert(teamsDeliveries)
    .values({
      sourceKey: input.sourceKey,
      conversationId: input.conversationId,
      activityId: input.activityId ?? null,
      deliveredAt: input.at,
    })
    .onConflictDoNothing();
}

/** The Teams id an admin stored for an employee (`29:…` or an Entra object id). */
export async function teamsIdentityOf(db: Db, externalId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: employeeIdentities.platformUserId })
    .from(employeeIdentities)
    .innerJoin(employees, eq(employees.id, employeeIdentities.employeeId))
    .where(and(eq(employees.externalId, externalId), eq(employeeIdentities.platform, teamsPlatform)));
  return row?.id;
}

/** Which of `ids` an admin stored as someone's Teams identity. */
export async function knownTeamsIdentities(db: Db, ids: readonly string[]): Promise<string[]> {
  const wanted = ids.filter((id) => id.length > 0 && id.length <= 256);
  if (wanted.length === 0) return [];
  const rows = await db
    .select({ id: employeeIdentities.platformUserId })
    .from(employeeIdentities)
    .where(
      and(eq(employeeIdentities.platform, teamsPlatform), inArray(employeeIdentities.platformUserId, wanted)),
    );
  return rows.map((r) => r.id);
}

/** An employee's language and employing entity (for a card's language and the HR alert's channels). */
export async function teamsPersonFacts(
  db: Db,
  externalId: string,
): Promise<{ locale: string; entityId: string | null } | undefined> {
  const [row] = await db
    .select({ locale: employees.locale, entityId: employees.entityId })
    .from(employees)
    .where(eq(employees.externalId, externalId));
  return row;
}
