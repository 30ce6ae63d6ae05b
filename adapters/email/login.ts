import { type Locale, translate } from "../../core/messages/index.ts";
import { escapeHtml } from "../shared/html.ts";
import { emailDocument, type RenderedEmail } from "./render.ts";

/**
 * The e-mail that carries a one-time login link: plain text and simple escaped HTML with one
 * button-styled link, in the person's language. `expiresAt` is already formatted for them.
 */
export function renderLoginEmail(input: {
  locale: Locale;
  name: string;
  url: string;
  expiresAt: string;
}): RenderedEmail {
  const { locale, name, url, expiresAt } = input;
  const t = (key: Parameters<typeof translate>[1], params: Record<string, string> = {}) =>
    translate(locale, key, params);
  const subject = t("email.login.subject");
  const greeting = t("email.greeting", { name });
  const body = t("email.login.body", { expiresAt });
  const button = t("email.login.button");
  const ignore = t("email.login.ignore");
  return emailDocument({
    locale,
    subject,
    opening: [greeting, body],
    text: [`${button}: ${url}`, "", ignore],
    html: [
      `<p><a href="${escapeHtml(url)}" style="display:inline-block;padding:.6em 1.4em;background:#2554d6;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(button)}</a></p>`,
      `<p style="font-size:.9em;word-break:break-all">${escapeHtml(url)}</p>`,
      `<p>${escapeHtml(ignore)}</p>`,
    ],
  });
}
