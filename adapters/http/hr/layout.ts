import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type AppError, isAppError } from "../../../core/errors.ts";
import { isMessageKey, type Locale, type MessageKey, translate } from "../../../core/messages/index.ts";
import { statusOf } from "../errors.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
export type Content = Html | string | readonly Html[];

/** Who is using the console, as every page and action needs it. */
export type HrContext = {
  principal: string;
  name: string;
  functions: readonly string[];
  locale: Locale;
  csrfToken: string;
  timeZone: string;
};

/** What just happened (or failed), shown on top of a console page. */
export type Flash = { ok: boolean; text: string } | undefined;

export type Section = "cases" | "channels" | "calendar" | "dead-letters";

/** A bound translator: `t("hr.nav.cases")`. */
export function translator(locale: Locale) {
  return (key: MessageKey, params: Readonly<Record<string, string | number>> = {}) =>
    translate(locale, key, params);
}

/** An instant in the company's time zone, in the reader's words. */
export function formatInstant(ctx: Pick<HrContext, "locale" | "timeZone">, iso: string | Date | null) {
  if (iso === null) return "—";
  return new Intl.DateTimeFormat(ctx.locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: ctx.timeZone,
  }).format(typeof iso === "string" ? new Date(iso) : iso);
}

/** A failure as a person reads it: the catalogue text when the error names one, else the generic text. */
export function errorText(locale: Locale, error: unknown): string {
  if (!isAppError(error)) return translate(locale, "error.internal", { requestId: "-" });
  if (error.messageKey && isMessageKey(error.messageKey)) {
    return translate(locale, error.messageKey, error.params);
  }
  const generic = `error.${error.code}`;
  const base = isMessageKey(generic) ? translate(locale, generic) : error.message;
  return error.message && error.message !== base ? `${base} (${error.message})` : base;
}

/** The statuses a console page answers with. */
export type PageStatus = 200 | 400 | 403 | 404 | 409 | 410 | 413 | 422;

/** The status a refused form shows its page with; undefined for failures that are not the form's (5xx, 429). */
export function pageStatusOf(error: AppError): PageStatus | undefined {
  const status = statusOf[error.code];
  return status === 400 ||
    status === 403 ||
    status === 404 ||
    status === 409 ||
    status === 410 ||
    status === 413 ||
    status === 422
    ? status
    : undefined;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(ctx: Pick<HrContext, "csrfToken">) {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

const styles = `
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem;padding:.6rem 1.25rem;background:#1d2b4f;color:#fff}
header.top a{color:#fff;text-decoration:none;white-space:nowrap;padding:.2rem .1rem;border-bottom:2px solid transparent}
header.top a[aria-current=page]{border-bottom-color:#f5a524}
header.top nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;flex:1}
header.top .who{font-size:.85rem;opacity:.9}
header.top form{margin:0}
header.top button{background:transparent;border:1px solid #fff8;padding:.2rem .7rem;font-size:.85rem}
main{max-width:80rem;margin:1rem auto;padding:0 1rem 2rem}
h1{font-size:1.35rem;margin:.5rem 0 .75rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.panel{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;padding:1rem 1.25rem;margin:0 0 1rem}
.muted{color:#5b6475;font-size:.88rem}
.flash{padding:.6rem 1rem;border-radius:8px;margin:0 0 1rem}
.flash.ok{background:#e5f6ea;border:1px solid #9ad3aa}
.flash.error{background:#fdecec;border:1px solid #eea2a2}
.tag{display:inline-block;padding:0 .45rem;border-radius:6px;font-size:.8rem;background:#eef1f6;white-space:nowrap}
.tag.overdue{background:#fdecec;color:#a01818;font-weight:600}
.tag.hold{background:#fff4d6;color:#7a5300}
.tag.done{background:#e5f6ea;color:#17602c}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{padding:.45rem .55rem;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{font-size:.82rem;color:#5b6475;font-weight:600;background:#fafbfc}
tr.overdue td{background:#fff7f7}
.nowrap{white-space:nowrap}
form.inline{display:inline}
label{display:block;font-size:.88rem;margin:.35rem 0 .15rem;color:#38404f}
input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #c5cad4;border-radius:6px;max-width:100%;background:#fff}
textarea{width:100%;min-height:3.2rem}
input[type=checkbox]{width:auto}
label>input:not([type=checkbox]),label>select,label>textarea{display:block;margin-top:.2rem}
label.check{display:flex;gap:.4rem;align-items:flex-start}
fieldset{border:1px solid #dde1e8;border-radius:8px;padding:.3rem .8rem .6rem;margin:.6rem 0}
legend{font-size:.88rem;color:#38404f;padding:0 .3rem}
button,.button{font:inherit;padding:.45rem 1.1rem;border:0;border-radius:8px;background:#2554d6;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#eef1f6;color:#1d2330}
button.danger{background:#b42318}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f5a524}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
.filters div{min-width:9rem}
.filters .grow{flex:1 1 16rem}
.filters .grow input{width:100%}
.filters .check label{display:flex;gap:.35rem;align-items:center;margin-bottom:.5rem}
.actions{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(20rem,100%),1fr));gap:1rem;align-items:start}
.actions form{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;padding:.8rem 1rem}
.actions h3{font-size:1rem;margin:0 0 .25rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.facts dt{color:#5b6475}
dl.facts dd{margin:0}
.pager{display:flex;gap:.75rem;margin:1rem 0;align-items:center}
.wrap{overflow-wrap:anywhere}
ul.checklist{list-style:none;margin:.5rem 0 0;padding:0}
ul.checklist li{display:flex;gap:.5rem;align-items:baseline;padding:.35rem 0;border-top:1px solid #e3e6ec}
ul.checklist .label{flex:1;min-width:0;overflow-wrap:anywhere}
ul.checklist .mark{font-size:1.1rem;line-height:1}
@media (max-width:48rem){
  main{padding:0 .5rem 2rem}
  table.cards thead{display:none}
  table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
  table.cards tr{border:1px solid #dde1e8;border-radius:10px;margin:.6rem 0;padding:.35rem .2rem;background:#fff}
  table.cards td{border:0;position:relative;padding:.15rem .5rem .15rem 42%;min-height:1.6rem}
  table.cards td::before{content:attr(data-label);position:absolute;left:.5rem;width:38%;color:#5b6475;font-size:.82rem}
  header.top nav{order:3;flex-basis:100%}
  dl.facts{grid-template-columns:1fr}
  dl.facts dd{margin-bottom:.35rem}
}
`;

const sections: { id: Section; href: string; key: MessageKey }[] = [
  { id: "cases", href: "/hr", key: "hr.nav.cases" },
  { id: "channels", href: "/hr/channels", key: "hr.nav.channels" },
  { id: "calendar", href: "/hr/calendar", key: "hr.nav.calendar" },
  { id: "dead-letters", href: "/hr/dead-letters", key: "hr.nav.dead_letters" },
];

/** The `<head>` of every console page: not indexed, the console's styles inline. */
function head(title: string) {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${raw(styles)}</style>
</head>`;
}

/** The console's frame: navigation, who is signed in, sign-out; no scripts, every text escaped. */
export function consolePage(
  ctx: HrContext,
  input: {
    section: Section;
    title: string;
    body: Content;
    flash?: Flash;
  },
) {
  const t = translator(ctx.locale);
  return html`<!doctype html>
<html lang="${ctx.locale}">
${head(`${input.title} · ${t("hr.title")}`)}
<body>
<header class="top">
<strong>${t("hr.title")}</strong>
<nav aria-label="${t("hr.nav.label")}">${sections.map(
    (s) =>
      html`<a href="${s.href}"${s.id === input.section ? html` aria-current="page"` : ""}>${t(s.key)}</a>`,
  )}</nav>
<span class="who">${t("hr.signed_in_as", { name: ctx.name })}</span>
<form method="post" action="/logout">${csrfField(ctx)}<button type="submit">${t("hr.sign_out")}</button></form>
</header>
<main>
${
  input.flash
    ? html`<p class="flash ${input.flash.ok ? "ok" : "error"}" role="${input.flash.ok ? "status" : "alert"}">${input.flash.text}</p>`
    : ""
}
${input.body}
</main>
</body>
</html>`;
}

/** A page for someone who is not (or not yet) allowed in: no navigation, one message. */
export function barePage(
  locale: Locale,
  title: string,
  text: string,
  link?: { href: string; label: string },
) {
  return html`<!doctype html>
<html lang="${locale}">
${head(`${title} · Baton`)}
<body><main><div class="panel"><h1>${title}</h1><p>${text}</p>${
    link ? html`<p><a class="button" href="${link.href}">${link.label}</a></p>` : ""
  }</div></main></body>
</html>`;
}
