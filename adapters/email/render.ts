import { type Locale, type MessageKey, translate } from "../../core/messages/index.ts";
import { escapeHtml } from "../shared/html.ts";

export { escapeHtml };

/** The notification kinds that also go to a person's personal e-mail (people who left or have no chat). */
export const emailKinds = ["certificate.issued", "notice.receipt", "agreement.signed"] as const;
export type EmailKind = (typeof emailKinds)[number];

export function isEmailKind(kind: string): kind is EmailKind {
  return (emailKinds as readonly string[]).includes(kind);
}

export type RenderedEmail = { subject: string; text: string; html: string };

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0
    ? value
    : typeof value === "number"
      ? String(value)
      : undefined;

/** Only http(s) addresses become links; anything else is left out. */
const link = (value: unknown, publicUrl: string): string | undefined => {
  const text = str(value);
  if (!text) return undefined;
  try {
    const url = new URL(text, publicUrl);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
};

type Line = { text: string; url?: string };

function linesOf(kind: EmailKind, data: Record<string, unknown>, locale: Locale, publicUrl: string): Line[] {
  const t = (key: MessageKey, params: Record<string, string | number> = {}) => translate(locale, key, params);
  const lines: Line[] = [];
  if (kind === "certificate.issued") {
    const download = link(data.downloadUrl, publicUrl);
    const verify = link(data.verifyUrl, publicUrl);
    const expiresAt = str(data.downloadExpiresAt)?.slice(0, 10) ?? "";
    if (download)
      lines.push({ text: t("email.certificate.download", { url: download, expiresAt }), url: download });
    if (verify) lines.push({ text: t("email.certificate.verify", { url: verify }), url: verify });
  } else if (kind === "notice.receipt") {
    lines.push({
      text: t("email.notice.dates", {
        noticeDate: str(data.noticeDate) ?? "—",
        legalLastDay: str(data.legalLastDay) ?? "—",
        plannedLastDay: str(data.plannedLastDay) ?? str(data.legalLastDay) ?? "—",
      }),
    });
  } else {
    const agreement = (data.copy as { agreement?: { title?: unknown; version?: unknown } } | undefined)
      ?.agreement;
    const titles = agreement?.title;
    const title =
      titles && typeof titles === "object"
        ? (str((titles as Record<string, unknown>)[locale]) ?? str((titles as Record<string, unknown>).en))
        : str(titles);
    const version = str(agreement?.version);
    if (title && version) lines.push({ text: t("email.agreement.signed", { title, version }) });
    const verify = link(data.verifyPath, publicUrl);
    if (verify) lines.push({ text: t("email.agreement.verify", { url: verify }), url: verify });
  }
  return lines;
}

/**
 * The e-mail for one notification: plain text and a simple HTML part with every piece of text
 * escaped, in the person's language. `publicUrl` makes relative paths (`/verify/…`) absolute.
 */
export function renderEmail(input: {
  kind: EmailKind;
  data: Record<string, unknown>;
  locale: Locale;
  name: string;
  publicUrl: string;
}): RenderedEmail {
  const { kind, data, locale, name, publicUrl } = input;
  const subject = translate(locale, `card.notify.${kind}.title` as MessageKey);
  const greeting = translate(locale, "email.greeting", { name });
  const body = translate(locale, `card.notify.${kind}.body` as MessageKey);
  const lines = linesOf(kind, data, locale, publicUrl);
  const paragraph = (line: Line) =>
    line.url
      ? `<p>${escapeHtml(line.text)}<br><a href="${escapeHtml(line.url)}">${escapeHtml(line.url)}</a></p>`
      : `<p>${escapeHtml(line.text)}</p>`;
  return emailDocument({
    locale,
    subject,
    opening: [greeting, body],
    text: lines.map((l) => l.text),
    html: lines.map(paragraph),
  });
}

/**
 * Baton's e-mail around its content: the subject (prefixed "Baton:"), the opening paragraphs
 * (greeting, body), the content as text lines and as HTML paragraphs (escaped by the caller), and
 * the footer, in plain text and in simple HTML.
 */
export function emailDocument(input: {
  locale: Locale;
  subject: string;
  opening: readonly string[];
  text: readonly string[];
  html: readonly string[];
}): RenderedEmail {
  const { locale, subject } = input;
  const footer = translate(locale, "email.footer");
  const text = [...input.opening.flatMap((p) => [p, ""]), ...input.text, "", "—", footer].join("\n");
  const html = [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;max-width:40em">',
    `<h1 style="font-size:1.25em">${escapeHtml(subject)}</h1>`,
    ...input.opening.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...input.html,
    `<hr><p style="color:#666;font-size:.9em">${escapeHtml(footer)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject: `Baton: ${subject}`, text, html };
}
