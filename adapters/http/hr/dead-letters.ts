import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { AppError } from "../../../core/errors.ts";
import { listDeadLetters } from "../../../db/outbox.ts";
import { retryDeadLetter } from "../routes/outbox.ts";
import { runFormAction } from "./forms.ts";
import type { HrEnv } from "./guard.ts";
import { consolePage, csrfField, type Flash, formatInstant, type PageStatus, translator } from "./layout.ts";

type C = Context<HrEnv>;

const pageSize = 50;
const idPattern = /^[1-9]\d{0,15}$/;

async function render(c: C, flash: Flash, status: PageStatus = 200) {
  const ctx = c.get("hr");
  const t = translator(ctx.locale);
  const beforeText = c.req.query("before") ?? "";
  const before = idPattern.test(beforeText) ? Number(beforeText) : undefined;
  const dead = await listDeadLetters(c.get("services").database.db, {
    limit: pageSize,
    ...(before === undefined ? {} : { before }),
  });
  const last = dead.at(-1);
  const list = dead.length
    ? html`<table class="cards"><thead><tr><th>#</th><th>${t("hr.dead.kind")}</th><th>${t("hr.dead.destination")}</th><th>${t("hr.dead.attempts")}</th><th>${t("hr.dead.error")}</th><th>${t("hr.dead.dead_at")}</th><th></th></tr></thead><tbody>${dead.map(
        (d) => html`<tr>
<td data-label="#">${d.id}</td>
<td data-label="${t("hr.dead.kind")}"><code>${d.kind}</code></td>
<td data-label="${t("hr.dead.destination")}" class="wrap">${d.destination}</td>
<td data-label="${t("hr.dead.attempts")}">${d.attempts}</td>
<td data-label="${t("hr.dead.error")}" class="wrap">${d.lastError ?? "—"}</td>
<td data-label="${t("hr.dead.dead_at")}">${formatInstant(ctx, d.deadAt)}<br><span class="muted">${t("hr.dead.created", { at: formatInstant(ctx, d.createdAt) })}</span></td>
<td data-label=""><form method="post" action="/hr/dead-letters/${d.id}/revive">${csrfField(ctx)}<button type="submit">${t("hr.dead.revive")}</button></form></td>
</tr>`,
      )}</tbody></table>`
    : html`<p class="panel">${t("hr.dead.none")}</p>`;
  const pager = html`<nav class="pager">${before !== undefined ? html`<a href="/hr/dead-letters">${t("hr.list.first")}</a>` : ""}${
    dead.length === pageSize && last
      ? html`<a href="/hr/dead-letters?before=${last.id}" rel="next">${t("hr.list.next")}</a>`
      : ""
  }</nav>`;
  return c.html(
    consolePage(ctx, {
      section: "dead-letters",
      title: t("hr.dead.title"),
      flash,
      body: html`<h1>${t("hr.dead.title")}</h1><p class="muted">${t("hr.dead.intro")}</p>${list}${pager}`,
    }),
    status,
  );
}

/** Messages that could not be delivered after every try, and sending one again. */
export function registerDeadLetterConsole(hr: Hono<HrEnv>): void {
  hr.get("/dead-letters", (c) => {
    const t = translator(c.get("hr").locale);
    return render(
      c,
      c.req.query("done") === "revived" ? { ok: true, text: t("hr.done.revived") } : undefined,
    );
  });

  hr.post("/dead-letters/:id/revive", (c) =>
    runFormAction(
      c,
      async () => {
        const id = c.req.param("id");
        if (!idPattern.test(id)) {
          throw new AppError("not_found", "No outbox message has this id.", {
            messageKey: "outbox.not_found",
          });
        }
        await retryDeadLetter(c.get("services"), Number(id), c.get("hr").principal);
        return "revived";
      },
      (done) => `/hr/dead-letters?done=${done}`,
      (flash, status) => render(c, flash, status),
    ),
  );
}
