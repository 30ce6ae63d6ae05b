import { and, eq } from "drizzle-orm";
import { parsePrincipal } from "../core/access/principal.ts";
import { type Locale, negotiateLocale } from "../core/messages/index.ts";
import type { Db } from "./client.ts";
import { employeeIdentities, employees } from "./schema/index.ts";

/** A person a chat surface can reach: their platform id there, language and name. */
export type PlatformPerson = { userId: string; locale: Locale; name: string };

/**
 * The stored identity of an active employee on `platform` (`employee:E1` → their Slack/Lark/
 * DingTalk id), or undefined for other principals, people who left, and people without one.
 */
export async function activePlatformPerson(
  db: Db,
  principal: string,
  platform: string,
): Promise<PlatformPerson | undefined> {
  const parsed = parsePrincipal(principal);
  if (parsed?.kind !== "employee") return undefined;
  const [row] = await db
    .select({
      userId: employeeIdentities.platformUserId,
      locale: employees.locale,
      status: employees.status,
      name: employees.name,
    })
    .from(employees)
    .innerJoin(employeeIdentities, eq(employeeIdentities.employeeId, employees.id))
    .where(and(eq(employees.externalId, parsed.id), eq(employeeIdentities.platform, platform)));
  if (row?.status !== "active") return undefined;
  return { userId: row.userId, locale: negotiateLocale(row.locale, "zh-CN"), name: row.name };
}

/** The language of a principal's messages: the employee's, else zh-CN. */
export async function localeOfPrincipal(db: Db, principal: string): Promise<Locale> {
  const parsed = parsePrincipal(principal);
  if (parsed?.kind !== "employee") return "zh-CN";
  const [row] = await db
    .select({ locale: employees.locale })
    .from(employees)
    .where(eq(employees.externalId, parsed.id));
  return negotiateLocale(row?.locale, "zh-CN");
}
