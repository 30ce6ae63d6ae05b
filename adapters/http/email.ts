import { and, eq, lt, sql } from "drizzle-orm";
import { dateInTimeZone } from "../../core/compliance/dates.ts";
import type { SenderEntry } from "../../core/notifications/delivery.ts";
import type { Db } from "../../db/client.ts";
import { getEmployee } from "../../db/repositories/directory.ts";
import { cases, deliveredNotifications, employees } from "../../db/schema/index.ts";
import { emailPersonSender, type MailAddress, type Mailer, smtpMailer } from "../email/index.ts";
import type { Config } from "./config.ts";
import type { Services } from "./services.ts";

type Deps = Pick<Services, "database" | "keys" | "clock" | "logger" | "config">;

const employeePrefix = "employee:";

const mailers = new WeakMap<Config, Mailer>();

/** The SMTP mailer of this configuration (one transport per config), or undefined while e-mail is off. */
export function mailerOf(config: Config): Mailer | undefined {
  if (!config.SMTP_URL || !config.MAIL_FROM) return undefined;
  let mailer = mailers.get(config);
  if (!mailer) {
    mailer = smtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM });
    mailers.set(config, mailer);
  }
  return mailer;
}

/**
 * Whether a person's employment has ended, as the directory and the cases record it: their status
 * is no longer `active` (left, deactivated), or a closed offboarding case of theirs has a planned
 * last day before today (in their time zone).
 */
export async function hasDeparted(
  db: Db,
  employee: { externalId: string; status: string; timeZone: string },
  now: Date,
): Promise<boolean> {
  if (employee.status !== "active") return true;
  const today = dateInTimeZone(now, employee.timeZone);
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(
      and(
        eq(employees.externalId, employee.externalId),
        eq(cases.status, "closed"),
        lt(cases.plannedLastDay, today),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/**
 * The `person` sender entry: the e-mail surface in front of `fallback` when `SMTP_URL` and
 * `MAIL_FROM` are set (see adapters/email/README.md), otherwise `fallback` itself. People whose
 * employment has ended ({@link hasDeparted}) get every kind by e-mail. A mailed
 * message is recorded in `delivered_notifications` with platform `email` and the principal as
 * target, never the address. Keeps the fallback's rate policy.
 */
export function emailPersonEntry(services: Deps, fallback: SenderEntry): SenderEntry {
  const { database, keys, clock, logger, config } = services;
  const mailer = mailerOf(config);
  if (!mailer) return fallback;

  async function addressOf(principal: string): Promise<MailAddress | undefined> {
    if (!principal.startsWith(employeePrefix)) return undefined;
    const externalId = principal.slice(employeePrefix.length);
    let employee: Awaited<ReturnType<typeof getEmployee>>;
    try {
      employee = await getEmployee(database.db, keys.encryption, externalId, { sensitive: true });
    } catch (error) {
      if ((error as { code?: unknown }).code === "not_found") return undefined;
      throw error;
    }
    const to = employee.personalEmail;
    if (employee.personalDataErased || !to || !to.includes("@")) return undefined;
    const departed = await hasDeparted(database.db, employee, clock.now());
    return { to, locale: employee.locale, name: employee.name, departed };
  }

  const sender = emailPersonSender(
    {
      addressOf,
      async record(message) {
        const [row] = await database.db
          .insert(deliveredNotifications)
          .values({
            outboxIds: message.items.map((i) => i.outboxId),
            kind: message.kind,
            recipientType: message.recipient.type,
            destination: message.destination,
            target: message.recipient.type === "person" ? message.recipient.principal : message.destination,
            platform: "email",
            data: message.data,
            deliveredAt: clock.now(),
          })
          .returning({ id: deliveredNotifications.id });
        return row ? `sink:${row.id}` : undefined;
      },
      mailer,
      publicUrl: config.publicUrl,
      logger,
    },
    fallback.sender,
  );
  return { sender, rate: fallback.rate };
}
