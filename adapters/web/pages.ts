import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type Locale, translate } from "../../core/messages/index.ts";
import { maxMessageLength } from "./parse.ts";
import { chatDocument, fieldNames, renderMessage, type WebMessageView, webhookPath } from "./render.ts";

type Html = HtmlEscapedString;
const h = (strings: TemplateStringsArray, ...values: unknown[]): Html => html(strings, ...values) as Html;

/** Where the chat's script is served (same origin; the chat pages' CSP allows `script-src 'self'`). */
export const chatScriptPath = "/chat/app.js";

const languages: { locale: Locale; name: string }[] = [
  { locale: "zh-CN", name: "中文" },
  { locale: "en", name: "English" },
];

/** Links that switch the page's language (a preference cookie; the names are each language's own). */
function languageSwitch(locale: Locale): Html {
  return h`<nav class="lang" aria-label="${translate(locale, "web.language")}">${raw(
    languages
      .map((l) =>
        l.locale === locale
          ? h`<a href="/chat?lang=${l.locale}" lang="${l.locale}" aria-current="true">${l.name}</a>`
          : h`<a href="/chat?lang=${l.locale}" lang="${l.locale}">${l.name}</a>`,
      )
      .join(""),
  )}</nav>`;
}

export type ChatPageInput = {
  locale: Locale;
  /** The signed-in person's name (or their principal when not in the directory). */
  name: string;
  csrfToken: string;
  messages: readonly WebMessageView[];
  /** The newest revision of the chat: the page polls for what comes after it. */
  revision: number;
  newKey?: () => string;
};

/** The chat: a header with the person and sign-out, the message log, and the text box. */
export function chatPage(input: ChatPageInput): string {
  const { locale, csrfToken } = input;
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string>) =>
    translate(locale, key, params);
  const ctx = { locale, csrfToken, ...(input.newKey ? { newKey: input.newKey } : {}) };
  const key = (input.newKey ?? (() => crypto.randomUUID()))();
  const messages = raw(input.messages.map((m) => renderMessage(m, ctx)).join(""));
  const body = h`<div class="chat">
<header class="chat-header">
<h1>${t("web.title")}<span class="who">${t("web.header.signed_in_as", { name: input.name })}</span></h1>
${languageSwitch(locale)}
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit">${t("web.signout")}</button></form>
</header>
<noscript><p class="notice">${t("web.noscript")}</p></noscript>
<main>
<ol class="log" id="log" aria-live="polite">${messages}</ol>
${input.messages.length === 0 ? h`<p class="empty" id="empty">${t("web.empty")}</p>` : ""}
</main>
<p class="status" id="status" role="status"></p>
<form class="composer" id="composer" method="post" action="${webhookPath}" data-composer>
<input type="hidden" name="${fieldNames.csrf}" value="${csrfToken}">
<input type="hidden" name="${fieldNames.key}" value="${key}">
<input type="hidden" name="${fieldNames.type}" value="message">
<label class="sr-only" for="composer-text">${t("web.composer.label")}</label>
<input type="text" id="composer-text" name="${fieldNames.text}" required maxlength="${maxMessageLength}" autocomplete="off" enterkeyhint="send" placeholder="${t("web.composer.placeholder")}">
<button type="submit" class="btn-primary">${t("web.composer.send")}</button>
</form>
<div id="end"></div>
</div>`;
  return chatDocument({
    locale,
    title: t("web.title"),
    body,
    script: chatScriptPath,
    bodyAttributes: h` data-chat data-revision="${input.revision}" data-csrf="${csrfToken}" data-t-sending="${t("web.sending")}" data-t-failed="${t("web.failed")}" data-t-expired="${t("web.expired")}"`,
  }).toString();
}

export type SignInPageInput = {
  locale: Locale;
  /** A pre-session CSRF token for the page's forms (bound to a cookie the page sets). */
  csrfToken: string;
  /** Demo mode only: the people one may sign in as. */
  demoPeople?: readonly { externalId: string; name: string; position: string | null }[];
};

/** Signed out: the demo picker (demo installations only), or how to get a login link. */
export function signInPage(input: SignInPageInput): string {
  const { locale, csrfToken } = input;
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string>) =>
    translate(locale, key, params);
  const csrf = h`<input type="hidden" name="_csrf" value="${csrfToken}">`;
  let content: Html;
  if (input.demoPeople) {
    const people = input.demoPeople.map(
      (p) =>
        h`<li><button type="submit" name="employeeId" value="${p.externalId}"><span>${p.name}</span><span class="pos">${p.externalId}${p.position ? ` · ${p.position}` : ""}</span></button></li>`,
    );
    content = h`<h2>${t("web.demo.title")}</h2>
<p>${t("web.demo.body")}</p>
${
  people.length > 0
    ? h`<form method="post" action="/chat/demo-login">${csrf}<ul class="people">${raw(people.join(""))}</ul></form>`
    : h`<p class="muted">${t("web.demo.none")}</p>`
}`;
  } else {
    content = h`<p>${t("web.signin.cli", { command: "" })}<code>npx baton login-link E1101 --next /chat</code></p>
<h2>${t("web.signin.email_title")}</h2>
<p>${t("web.signin.email_body")}</p>
<form class="inline-form" method="post" action="/chat/email-link">${csrf}
<label>${t("web.signin.employee_id")}<input type="text" name="employeeId" required maxlength="64" autocomplete="username" spellcheck="false"></label>
<button type="submit" class="btn-primary">${t("web.signin.email_button")}</button>
</form>`;
  }
  const body = h`<main class="signin">
${languageSwitch(locale)}
<h1>${t("web.signin.title")}</h1>
<p>${t("web.signin.body")}</p>
${content}
</main>`;
  return chatDocument({ locale, title: t("web.signin.title"), body }).toString();
}

/** A short page for a refused or failed form post without script: the reason and the way back. */
export function problemPage(locale: Locale, message: string): string {
  const body = h`<main class="signin"><h1>${translate(locale, "web.error.title")}</h1><p>${message}</p><p><a class="btn btn-primary" href="/chat">${translate(locale, "web.error.back")}</a></p></main>`;
  return chatDocument({ locale, title: translate(locale, "web.error.title"), body }).toString();
}
