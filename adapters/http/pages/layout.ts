import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Locale } from "../../../core/messages/index.ts";

type Content = HtmlEscapedString | Promise<HtmlEscapedString> | string;

/** The frame of every server-rendered page: no scripts, no external assets, text escaped. */
export function page(locale: Locale, title: string, body: Content) {
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Baton</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
main{max-width:34rem;margin:3rem auto;padding:1.5rem 1.75rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}
h1{font-size:1.3rem;margin:0 0 .75rem}
p{margin:.5rem 0}
.muted{color:#5b6475;font-size:.9rem}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:8px;background:#2554d6;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #f5a524}
@media (max-width:40rem){main{margin:0;border-radius:0;min-height:100vh;box-sizing:border-box}}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function messagePage(locale: Locale, title: string, text: string) {
  return page(locale, title, html`<h1>${title}</h1><p>${text}</p>`);
}
