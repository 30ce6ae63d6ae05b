import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { AppError } from "../../../core/errors.ts";
import {
  calendarStatus,
  confirmCalendarYear,
  listCalendarOverrides,
  maxReasonLength,
  removeCalendarOverride,
  requireDate,
  setCalendarOverride,
} from "../../../db/calendar.ts";
import { overrideBody } from "../routes/calendar.ts";
import { namesOf } from "./data.ts";
import { optional, parseForm, runFormAction } from "./forms.ts";
import type { HrEnv } from "./guard.ts";
import { whoName } from "./labels.ts";
import { consolePage, csrfField, type Flash, formatInstant, type PageStatus, translator } from "./layout.ts";

type C = Context<HrEnv>;

const confirmForm = z.object({ basis: z.string().trim().min(1).max(maxReasonLength) }).strict();

function yearFilter(c: C): number | undefined {
  const year = c.req.query("year") ?? "";
  return /^\d{4}$/.test(year) && Number(year) >= 1900 && Number(year) <= 2100 ? Number(year) : undefined;
}

async function render(c: C, flash: Flash, status: PageStatus = 200) {
  const ctx = c.get("hr");
  const { locale } = ctx;
  const t = translator(locale);
  const { database, clock } = c.get("services");
  const db = database.db;
  const year = yearFilter(c);
  const [state, overrides] = await Promise.all([
    calendarStatus(db, clock.now(), { timeZone: ctx.timeZone }),
    listCalendarOverrides(db, year === undefined ? {} : { year }),
  ]);
  const names = await namesOf(
    db,
    overrides.map((o) => o.createdBy),
  );
  const statusName = (s: string) =>
    t(
      s === "official"
        ? "hr.calendar.status_official"
        : s === "confirmed"
          ? "hr.calendar.status_confirmed"
          : "hr.calendar.status_provisional",
    );

  const years = html`<table class="cards"><thead><tr><th>${t("hr.calendar.year")}</th><th>${t("hr.col.status")}</th><th>${t("hr.calendar.overrides")}</th><th>${t("hr.calendar.confirm")}</th></tr></thead><tbody>${state.years.map(
    (y) => html`<tr id="year-${y.year}">
<td data-label="${t("hr.calendar.year")}">${y.year} <span class="muted">${y.region}</span></td>
<td data-label="${t("hr.col.status")}"><span class="tag${y.status === "provisional" ? " hold" : ""}">${statusName(y.status)}</span>${
      y.provisionalSince
        ? html`<br><span class="muted">${t("hr.calendar.provisional_since", { at: formatInstant(ctx, y.provisionalSince) })}</span>`
        : ""
    }</td>
<td data-label="${t("hr.calendar.overrides")}">${y.overrides}</td>
<td data-label="${t("hr.calendar.confirm")}">${
      y.status === "provisional"
        ? html`<form method="post" action="/hr/calendar/years/${y.year}/confirm">${csrfField(ctx)}
<label>${t("hr.calendar.basis")}<input name="basis" required maxlength="${maxReasonLength}" placeholder="国办发明电〔…〕…号"></label>
<button type="submit">${t("hr.calendar.confirm")}</button></form>`
        : "—"
    }</td>
</tr>`,
  )}</tbody></table>`;

  const notices = state.notices.length
    ? html`<div class="panel">${state.notices.map((n) => html`<p>${t(n.key, n.params)}</p>`)}<p class="muted">${t("hr.calendar.confirm_help")}</p></div>`
    : "";

  const list = overrides.length
    ? html`<table class="cards"><thead><tr><th>${t("hr.calendar.date")}</th><th>${t("hr.calendar.region")}</th><th>${t("hr.calendar.kind")}</th><th>${t("hr.form.reason")}</th><th>${t("hr.calendar.set_by")}</th><th></th></tr></thead><tbody>${overrides.map(
        (o) => html`<tr>
<td data-label="${t("hr.calendar.date")}">${o.date}</td>
<td data-label="${t("hr.calendar.region")}">${o.region}</td>
<td data-label="${t("hr.calendar.kind")}">${t(o.kind === "rest" ? "hr.calendar.kind_rest" : "hr.calendar.kind_work")}</td>
<td data-label="${t("hr.form.reason")}" class="wrap">${o.reason}</td>
<td data-label="${t("hr.calendar.set_by")}">${formatInstant(ctx, o.createdAt)} · ${whoName(locale, names, o.createdBy)}</td>
<td data-label=""><form method="post" action="/hr/calendar/overrides/remove">${csrfField(ctx)}
<input type="hidden" name="date" value="${o.date}"><input type="hidden" name="region" value="${o.region}">
<button type="submit" class="secondary">${t("hr.calendar.remove")}</button></form></td>
</tr>`,
      )}</tbody></table>`
    : html`<p class="panel">${t("hr.calendar.no_overrides")}</p>`;

  const add = html`<form method="post" action="/hr/calendar/overrides" class="panel" id="add-override">${csrfField(ctx)}
<h2>${t("hr.calendar.add_title")}</h2>
<p class="muted">${t("hr.calendar.add_help")}</p>
<div class="filters">
<div><label for="date">${t("hr.calendar.date")}</label><input type="date" id="date" name="date" required></div>
<div><label for="kind">${t("hr.calendar.kind")}</label><select id="kind" name="kind"><option value="rest">${t("hr.calendar.kind_rest")}</option><option value="work">${t("hr.calendar.kind_work")}</option></select></div>
<div><label for="region">${t("hr.calendar.region")}</label><input id="region" name="region" value="CN" maxlength="16"></div>
<div class="grow"><label for="reason">${t("hr.form.reason")}</label><input id="reason" name="reason" required maxlength="${maxReasonLength}"></div>
<div><button type="submit">${t("hr.calendar.add")}</button></div>
</div></form>`;

  const yearNav = html`<form method="get" action="/hr/calendar" class="filters"><div><label for="year">${t("hr.calendar.year")}</label><input id="year" name="year" inputmode="numeric" pattern="[0-9]{4}" value="${year ?? ""}" placeholder="${state.today.slice(0, 4)}"></div><div><button type="submit" class="secondary">${t("hr.list.apply")}</button></div></form>`;

  return c.html(
    consolePage(ctx, {
      section: "calendar",
      title: t("hr.calendar.title"),
      flash,
      body: html`<h1>${t("hr.calendar.title")}</h1>
<p class="muted">${t("hr.calendar.intro", { officialThrough: state.officialThrough })}</p>
${notices}
<h2>${t("hr.calendar.years")}</h2>
${years}
<h2>${t("hr.calendar.overrides")}</h2>
${yearNav}
${list}
${add}`,
    }),
    status,
  );
}

const doneTexts = {
  set: "hr.done.override_set",
  removed: "hr.done.override_removed",
  confirmed: "hr.done.year_confirmed",
  unchanged: "hr.done.unchanged",
} as const;

function act(c: C, run: () => Promise<keyof typeof doneTexts>) {
  return runFormAction(
    c,
    run,
    (done) => `/hr/calendar?done=${done}`,
    (flash, status) => render(c, flash, status),
  );
}

/** The business calendar: which years are provisional (and confirming them), HR's overrides. */
export function registerCalendarConsole(hr: Hono<HrEnv>): void {
  hr.get("/calendar", (c) => {
    const done = c.req.query("done") ?? "";
    const key = Object.hasOwn(doneTexts, done) ? doneTexts[done as keyof typeof doneTexts] : undefined;
    return render(c, key ? { ok: true, text: translator(c.get("hr").locale)(key) } : undefined);
  });

  hr.post("/calendar/overrides", (c) =>
    act(c, async () => {
      const form = c.get("form");
      const body = parseForm(overrideBody, {
        kind: form.kind ?? "",
        reason: form.reason ?? "",
        ...(optional(form.region) ? { region: optional(form.region) } : {}),
      });
      const { database, clock } = c.get("services");
      const result = await setCalendarOverride(database.db, {
        ...(body.region === undefined ? {} : { region: body.region }),
        date: requireDate(form.date, "date"),
        kind: body.kind,
        reason: body.reason,
        actor: c.get("hr").principal,
        at: clock.now(),
      });
      return result.changed ? "set" : "unchanged";
    }),
  );

  hr.post("/calendar/overrides/remove", (c) =>
    act(c, async () => {
      const form = c.get("form");
      const { database, clock } = c.get("services");
      const region = optional(form.region);
      await removeCalendarOverride(database.db, {
        ...(region === undefined ? {} : { region }),
        date: requireDate(form.date, "date"),
        actor: c.get("hr").principal,
        at: clock.now(),
      });
      return "removed";
    }),
  );

  hr.post("/calendar/years/:year/confirm", (c) =>
    act(c, async () => {
      const yearText = c.req.param("year");
      if (!/^\d{4}$/.test(yearText)) throw new AppError("not_found", "", { messageKey: "error.not_found" });
      const { basis } = parseForm(confirmForm, { basis: c.get("form").basis ?? "" });
      const { database, clock } = c.get("services");
      const result = await confirmCalendarYear(database.db, {
        year: Number(yearText),
        basis,
        actor: c.get("hr").principal,
        at: clock.now(),
      });
      return result.evidenceId ? "confirmed" : "unchanged";
    }),
  );
}
