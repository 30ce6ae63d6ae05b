import { negotiateLocale, translate } from "../../core/messages/index.ts";
import type { NotificationSender, OutgoingMessage } from "../../core/notifications/delivery.ts";
import { renderCardEmail } from "./card.ts";
import { isEmailKind, renderEmail } from "./render.ts";
import type { Mailer } from "./send.ts";

export { mailableCard, renderCardEmail } from "./card.ts";
export { renderLoginEmail } from "./login.ts";
export { emailKinds, escapeHtml, isEmailKind, type RenderedEmail, renderEmail } from "./render.ts";
export { deliveryErrorOf, type Mail, type Mailer, smtpMailer, TransientMailError } from "./send.ts";

/**
 * Where a person is mailed: the personal e-mail, decrypted only to send; their locale and name;
 * `departed` when their employment has ended (they can no longer read the company chat).
 */
export type MailAddress = { to: string; locale: string; name: string; departed?: boolean };

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
 * personal e-mail and records the delivery. A person whose employment has ended gets every kind by
 * e-mail, rendered from the notification's card (they can no longer read the company chat).
 * A person still employed gets those kinds in the chat too (`fallback` first: the web chat stores
 * by outbox id, so a retry after a failed mail shows nothing twice). Everything else, and a person
 * with no personal e-mail, goes to `fallback` only. SMTP 5xx is permanent, 4xx and connection
 * errors are retried.
 */
export function emailPersonSender(deps: EmailDeps, fallback: NotificationSender): NotificationSender {
  return {
    async send(message: OutgoingMessage) {
      const { recipient, kind } = message;
      if (recipient.type !== "person") return fallback.send(message);
      const person = await deps.addressOf(recipient.principal);
      if (!person || (!isEmailKind(kind) && !person.departed)) return fallback.send(message);
      const chat = person.departed ? undefined : await fallback.send(message);
      const locale = negotiateLocale(person.locale, "zh-CN");
      const input = { data: message.data, locale, name: person.name, publicUrl: deps.publicUrl };
      const rendered = isEmailKind(kind)
        ? renderEmail({ ...input, kind })
        : renderCardEmail({ ...input, kind, intro: translate(locale, "email.departed.intro") });
      const { messageId } = await deps.mailer.send({ ...rendered, to: person.to });
      const recorded = await deps.record(message);
      const outboxIds = message.items.map((i) => i.outboxId);
      deps.logger?.info({ outboxIds, kind, locale, departed: person.departed === true }, "e-mail sent");
      const mailed = `email:${messageId || recorded || ""}`;
      return { reference: chat?.reference ? `${chat.reference} ${mailed}` : mailed };
    },
  };
}
