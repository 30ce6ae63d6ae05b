import { type Locale, translate } from "../../core/messages/index.ts";
import { escapeHtml, type RenderedEmail } from "./render.ts";

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
  const footer = t("email.footer");
  const text = [greeting, "", body, "", `${button}: ${url}`, "", ignore, "", "—", footer].join("\n");
  const html = [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;max-width:40em">',
    `<h1 style="font-size:1.25em">${escapeHtml(subject)}</h1>`,
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(body)}</p>`,
    `<p><a href="${escapeHtml(url)}" style="display:inline-block;padding:.6em 1.4em;background:#2554d6;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(button)}</a></p>`,
    `<p style="font-size:.9em;word-break:break-all">${escapeHtml(url)}</p>`,
    `<p>${escapeHtml(ignore)}</p>`,
    `<hr><p style="color:#666;font-size:.9em">${escapeHtml(footer)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject: `Baton: ${subject}`, text, html };
}
