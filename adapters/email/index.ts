import { negotiateLocale } from "../../core/messages/index.ts";
import type { NotificationSender, OutgoingMessage } from "../../core/notifications/delivery.ts";
import { isEmailKind, renderEmail } from "./render.ts";
import type { Mailer } from "./send.ts";

export { emailKinds, escapeHtml, isEmailKind, renderEmail } from "./render.ts";
export { deliveryErrorOf, type Mailer, smtpMailer, TransientMailError } from "./send.ts";

/** Where a person is mailed: the personal e-mail, decrypted only to send; their locale and name. */
export type MailAddress = { to: string; locale: string; name: string };

export type EmailDeps = {
  /** The person's personal e-mail, or undefined when there is none (no employee, none set, erased). */
  addressOf(principal: string): Promise<MailAddress | undefined>;
  /** Records a mailed message (never the address); answers a reference for the outbox row. */
  record(message: OutgoingMessage): Promise<string | undefined>;
  mailer: Mailer;
  publicUrl: string;
  logger?: { info(fields: Record<string, unknown>, message: string): void };
};

/**
 * The person sender with e-mail in front: for the kinds that matter to people who may have left or
 * have no chat (`certificate.issued`, `notice.receipt`, `agreement.signed`) it mails the person's
 * personal e-mail and records the delivery. Everything else, and a person with no personal
 * e-mail, goes to `fallback`. SMTP 5xx is permanent, 4xx and connection errors are retried.
 */
export function emailPersonSender(deps: EmailDeps, fallback: NotificationSender): NotificationSender {
  return {
    async send(message: OutgoingMessage) {
      const { recipient, kind } = message;
      if (recipient.type !== "person" || !isEmailKind(kind)) return fallback.send(message);
      const person = await deps.addressOf(recipient.principal);
      if (!person) return fallback.send(message);
      const locale = negotiateLocale(person.locale, "zh-CN");
      const rendered = renderEmail({
        kind,
        data: message.data,
        locale,
        name: person.name,
        publicUrl: deps.publicUrl,
      });
      const { messageId } = await deps.mailer.send({ ...rendered, to: person.to });
      const recorded = await deps.record(message);
      const outboxIds = message.items.map((i) => i.outboxId);
      deps.logger?.info({ outboxIds, kind, locale }, "e-mail sent");
      return { reference: `email:${messageId || recorded || ""}` };
    },
  };
}
