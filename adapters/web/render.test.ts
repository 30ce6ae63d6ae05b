import { describe, expect, it } from "vitest";
import {
  Actions,
  Button,
  Card,
  ChoiceInput,
  Fields,
  LinkButton,
  Markdown,
  PersonInput,
  Submit,
  Text,
  TextInput,
} from "../../cards/model.ts";
import { notificationCardExamples, templateExamples } from "../../cards/templates/examples.ts";
import { type Locale, translate } from "../../core/messages/index.ts";
import { chatPage, signInPage } from "./pages.ts";
import { idempotencyKeyPattern } from "./parse.ts";
import {
  escapeHtml,
  renderCard,
  renderCardHtml,
  renderCardPage,
  renderMarkdown,
  renderMessage,
  webhookPath,
} from "./render.ts";

const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

/** Every `<form …>…</form>` of a piece of HTML with its hidden fields. */
function formsOf(markup: string): { attributes: string; fields: Record<string, string> }[] {
  return [...markup.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => ({
    attributes: m[1] ?? "",
    fields: Object.fromEntries(
      [...(m[2] ?? "").matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((f) => [
        f[1],
        f[2],
      ]),
    ),
  }));
}

const render = (card: Parameters<typeof renderCardHtml>[0], locale: Locale = "en") =>
  renderCardHtml(card, { locale, csrfToken: "tok-123", messageId: 42 }).toString();

describe("web card renderer", () => {
  const examples = [...templateExamples, ...notificationCardExamples];
  for (const locale of ["zh-CN", "en"] as const) {
    it(`renders every example card in ${locale} with its title and facts, escaped`, () => {
      for (const example of examples) {
        const card = example.render({ locale, t: translate });
        const markup = render(card, locale);
        expect(markup, example.name).toContain(
          `<h2 class="card-title">${escapeHtml(card.header.title)}</h2>`,
        );
        expect(markup, example.name).toMatch(
          /^<article class="card tone-(info|success|warning|danger)" data-card>/,
        );
        for (const fact of example.facts)
          expect(markup, `${example.name}: ${fact}`).toContain(escapeHtml(fact));
        expect(markup, example.name).not.toMatch(/<script|javascript:|\son\w+=/i);
        // Every form posts to the web webhook with the CSRF token and a fresh idempotency key.
        for (const form of formsOf(markup)) {
          expect(form.attributes, example.name).toContain(`action="${webhookPath}"`);
          expect(form.fields._csrf, example.name).toBe("tok-123");
          expect(form.fields.key, example.name).toMatch(idempotencyKeyPattern);
          expect(form.fields.type, example.name).toBe("action");
          expect(form.fields.message, example.name).toBe("42");
        }
        expect(renderCard(card).text, example.name).toContain(card.header.title);
      }
    });
  }

  it("gives each form its own idempotency key, and new keys on each render", () => {
    const example = templateExamples.find((e) => e.name === "handover-checklist");
    const card = example?.render({ locale: "en", t: translate });
    if (!card) throw new Error("no handover example");
    const first = formsOf(render(card)).map((f) => f.fields.key);
    const second = formsOf(render(card)).map((f) => f.fields.key);
    expect(first).toHaveLength(1); // one form: the confirmed "complete" button presses it too
    expect(new Set([...first, ...second]).size).toBe(2);
  });

  it("sends a submit's action and value, and a button's with the card's inputs (as a platform click does)", () => {
    const card = Card({ title: "T", tone: "info" }, [
      TextInput("reason", "Reason", { required: true }),
      ChoiceInput("done", "Done", [{ label: "A", value: "a" }], { multiple: true }),
      Submit("Save", "handover.update", { value: "C-1" }),
      Actions([Button("Go", "case.status", { value: "C-1", style: "primary" })]),
    ]);
    const markup = render(card);
    const forms = formsOf(markup);
    expect(forms).toHaveLength(1);
    const inputs = forms[0];
    expect(inputs?.fields["value:handover.update"]).toBe("C-1");
    expect(inputs?.fields["value:case.status"]).toBe("C-1");
    expect(markup).toContain('<button type="submit" name="action" value="handover.update"');
    // The button presses the card's form (its inputs go along) without the form's required checks.
    expect(markup).toContain(
      '<button type="submit" name="action" value="case.status" class="btn-primary" formnovalidate>Go</button>',
    );
    expect(markup).toContain('name="f.reason"');
    expect(markup).toContain('<input type="hidden" name="_multi" value="done">');
    // Enter in a field presses the disabled first button: nothing is sent without a click.
    expect(markup).toMatch(/<form class="card-body card-form"[^>]*><button type="submit" disabled hidden/);
  });

  it("keeps a button in its own form, joined by the form attribute, when its action goes with other values", () => {
    const card = Card({ title: "T", tone: "info" }, [
      TextInput("reason", "Reason"),
      Actions([
        Button("Back", "page.turn", { value: "1" }),
        Button("Next", "page.turn", { value: "3", style: "primary" }),
      ]),
    ]);
    const markup = render(card);
    const [inputs, back, next] = formsOf(markup);
    expect(inputs?.fields["value:page.turn"]).toBeUndefined();
    expect(back?.fields).toMatchObject({ action: "page.turn", value: "1", _csrf: "tok-123" });
    expect(next?.fields).toMatchObject({ action: "page.turn", value: "3" });
    const ids = [...markup.matchAll(/<form id="([^"]+)"/g)].map((m) => m[1]);
    expect(markup).toContain(`<button type="submit" form="${ids[1]}" class="btn-primary">Next</button>`);
  });

  it("asks for confirmation before a confirmed action", () => {
    const example = templateExamples.find((e) => e.name === "resignation-notice-form");
    const card = example?.render({ locale: "zh-CN", t: translate });
    if (!card) throw new Error("no notice example");
    const markup = render(card, "zh-CN");
    expect(markup).toContain('<details class="confirm"><summary class="btn btn-danger" role="button">');
    expect(markup).toContain(translate("zh-CN", "card.notice_form.confirm_text"));
    expect(markup).toContain(`<button type="button" data-deny>${translate("zh-CN", "card.cancel")}</button>`);
    expect(markup).toContain('type="date"');
    expect(markup).toContain("<textarea");
  });

  it("shows text, fields, options and labels as text, never as markup", () => {
    const card = Card({ title: evil, subtitle: evil, tone: "danger" }, [
      Text(evil),
      Fields([{ label: evil, value: evil }]),
      ChoiceInput("c", evil, [{ label: evil, value: `"><script>` }]),
      PersonInput("p", evil, { people: [{ label: evil, value: "employee:E1" }] }),
      TextInput("t", evil, { placeholder: evil, initial: evil }),
      Actions([Button(evil, "x.y"), LinkButton(evil, "https://example.com/?q=<b>")]),
    ]);
    const markup = render(card);
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img");
    expect(markup).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it("shows what a person typed as text", () => {
    const markup = renderMessage(
      { id: 1, revision: 1, role: "user", text: `hi ${evil} **not bold**`, card: null },
      { locale: "en", csrfToken: "t" },
    ).toString();
    expect(markup).toContain("&lt;script&gt;");
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img");
    expect(markup).toContain("**not bold**");
  });

  it("renders the Markdown subset and links only to http(s)", () => {
    const md = (s: string) => renderMarkdown(s).toString();
    expect(md("**b** *i* `c` a_b_c")).toBe("<p><strong>b</strong> <em>i</em> <code>c</code> a_b_c</p>");
    expect(md("[ok](https://example.com/a?b=1&c=2)")).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">ok</a></p>',
    );
    expect(md("[http](http://example.com)")).toContain('href="http://example.com/"');
    for (const bad of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox",
      "//evil.example",
      "/relative",
      "mailto:a@b.c",
    ]) {
      const out = md(`[x](${bad})`);
      expect(out, bad).not.toContain("<a");
      expect(out, bad).not.toContain("<script");
    }
    expect(md(`<b>raw</b> ${evil}`)).not.toMatch(/<b>|<script|<img/);
    expect(md("- one\n- two\n\n1. first")).toBe("<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>");
    expect(md("\\*not italic\\*")).toBe("<p>*not italic*</p>");
    expect(md("[**bold** label](https://x.example)")).toContain("<strong>bold</strong> label</a>");
  });

  it("opens only http(s) and same-site link buttons", () => {
    const card = Card({ title: "L", tone: "info" }, [
      Actions([
        LinkButton("good", "https://baton.example.com/verify/1"),
        LinkButton("local", "/a/token"),
        LinkButton("bad", "javascript:alert(1)"),
        LinkButton("other", "//evil.example/x"),
      ]),
    ]);
    const markup = render(card);
    expect(markup).toContain('href="https://baton.example.com/verify/1"');
    expect(markup).toContain('href="/a/token"');
    expect(markup).not.toContain("javascript:");
    expect(markup).not.toContain("evil.example");
    expect(markup).toContain(translate("en", "web.link.unsafe"));
  });

  it("gives a remote person picker a search box for the page's script", () => {
    const card = Card({ title: "P", tone: "info" }, [
      PersonInput("receiver", "Receiver", {
        people: [{ label: "Han", value: "employee:E2" }],
        searchAction: "directory.search",
        required: true,
      }),
      Submit("OK", "notice.acknowledge"),
    ]);
    const markup = render(card, "zh-CN");
    expect(markup).toContain('data-search-action="directory.search"');
    expect(markup).toContain("data-person-search");
    expect(markup).toContain('<option value="employee:E2">Han</option>');
    expect(markup).toContain(`placeholder="${translate("zh-CN", "web.search.placeholder")}"`);
  });

  it("renders Markdown text blocks with the subset and plain ones as text", () => {
    const markup = render(
      Card({ title: "M", tone: "info" }, [Markdown("**b** [x](javascript:alert(1))"), Text("**b**")]),
    );
    expect(markup).toContain('<div class="md"><p><strong>b</strong> x</p></div>');
    expect(markup).toContain('<p class="plain">**b**</p>');
  });

  it("renders a standalone page per card with the chat stylesheet", () => {
    const example = templateExamples[0];
    const card = example?.render({ locale: "en", t: translate });
    if (!card) throw new Error("no example");
    const page = renderCardPage(card, { locale: "en" });
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain("<style>");
    expect(page).toContain(".card{");
    expect(page).toContain(escapeHtml(card.header.title));
    expect(page).not.toContain("<script");
  });

  it("builds the chat and sign-in pages with CSRF tokens and no inline script", () => {
    const page = chatPage({
      locale: "zh-CN",
      name: `王强 ${evil}`,
      csrfToken: "tok",
      messages: [{ id: 3, revision: 9, role: "user", text: evil, card: null }],
      revision: 9,
    });
    expect(page).toContain('<script src="/chat/app.js" defer></script>');
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('data-revision="9"');
    expect(page).toContain(
      '<form method="post" action="/logout"><input type="hidden" name="_csrf" value="tok">',
    );
    expect(page).toContain("王强 &lt;script&gt;");
    const signIn = signInPage({
      locale: "en",
      csrfToken: "pre",
      demoPeople: [{ externalId: "E1", name: evil, position: null }],
    });
    expect(signIn).toContain('action="/chat/demo-login"');
    expect(signIn).toContain('value="pre"');
    expect(signIn).not.toContain("<script");
    const plain = signInPage({ locale: "en", csrfToken: "pre" });
    expect(plain).toContain('<form class="inline-form" method="post" action="/chat/email-link">');
    expect(plain).toContain('name="employeeId"');
    expect(plain).not.toContain("demo-login");
  });
});
