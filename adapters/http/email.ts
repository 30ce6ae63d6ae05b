import type { SenderEntry } from "../../core/notifications/delivery.ts";
import { getEmployee } from "../../db/repositories/directory.ts";
import { deliveredNotifications } from "../../db/schema/index.ts";
import { emailPersonSender, type MailAddress, smtpMailer } from "../email/index.ts";
import type { Services } from "./services.ts";

type Deps = Pick<Services, "database" | "keys" | "clock" | "logger" | "config">;

const employeePrefix = "employee:";

/**
 * The `person` sender entry: the e-mail surface in front of `fallback` when `SMTP_URL` and
 * `MAIL_FROM` are set (see adapters/email/README.md), otherwise `fallback` itself. A mailed
 * message is recorded in `delivered_notifications` with platform `email` and the principal as
 * target, never the address. Keeps the fallback's rate policy.
 */
export function emailPersonEntry(services: Deps, fallback: SenderEntry): SenderEntry {
  const { database, keys, clock, logger, config } = services;
  if (!config.SMTP_URL || !config.MAIL_FROM) return fallback;
  const mailer = smtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM });

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
    return { to, locale: employee.locale, name: employee.name };
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
