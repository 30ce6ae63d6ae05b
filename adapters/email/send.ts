import nodemailer from "nodemailer";
import { PermanentDeliveryError } from "../../core/notifications/delivery.ts";
import type { RenderedEmail } from "./render.ts";

export type Mail = RenderedEmail & { to: string };

/** Sends one e-mail and answers the SMTP message id. */
export type Mailer = { send(mail: Mail): Promise<{ messageId: string }> };

/** An SMTP failure that may pass (4xx, a dropped connection): the dispatcher retries it with backoff. */
export class TransientMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransientMailError";
  }
}

/**
 * Maps a nodemailer error to the dispatcher's terms: a 5xx reply is permanent (dead at once), a 4xx
 * reply or a connection problem is retried. The server's own text is left out: it may quote the address.
 */
export function deliveryErrorOf(error: unknown): Error {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  if (typeof code === "number" && code >= 500 && code < 600) {
    return new PermanentDeliveryError(`SMTP server refused the message (${code})`);
  }
  if (typeof code === "number") return new TransientMailError(`SMTP server deferred the message (${code})`);
  const name = (error as { code?: unknown } | null)?.code;
  return new TransientMailError(`SMTP delivery failed${typeof name === "string" ? ` (${name})` : ""}`);
}

/** A mailer over `SMTP_URL` (`smtp://user:pass@host:port`, `smtps://…`) sending from `MAIL_FROM`. */
export function smtpMailer(options: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        });
        return { messageId: String(info.messageId ?? "") };
      } catch (error) {
        throw deliveryErrorOf(error);
      }
    },
  };
}
