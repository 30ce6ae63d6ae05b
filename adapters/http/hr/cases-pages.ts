import { html } from "hono/html";
import type { Locale } from "../../../core/messages/index.ts";
import type { StepView } from "../../../core/offboarding/case.ts";
import { isReassignable } from "../../../core/offboarding/transitions.ts";
import type { CaseCertificates } from "../certificate/service.ts";
import {
  type CaseListFilter,
  type CasePage,
  formatCursor,
  type ListedCase,
  statusFilters,
  type TrailEntry,
} from "./data.ts";
import {
  caseStatusName,
  checklistItemName,
  outcomeName,
  separationName,
  stepKeys,
  stepName,
  stepStatusName,
  whoName,
  yesNo,
} from "./labels.ts";
import {
  type Content,
  consolePage,
  csrfField,
  type Flash,
  formatInstant,
  type HrContext,
  translator,
} from "./layout.ts";

export type ListQuery = CaseListFilter & { size: number };

/** The list's query string for a filter (and a page position), as the filter form sends it. */
export function listQueryString(query: ListQuery, position: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  params.set("status", query.status);
  if (query.q) params.set("q", query.q);
  if (query.step) params.set("step", query.step);
  if (query.entity) params.set("entity", query.entity);
  if (query.overdue) params.set("overdue", "1");
  if (query.size !== 50) params.set("size", String(query.size));
  for (const [name, value] of Object.entries(position)) params.set(name, value);
  return params.toString();
}

function statusTag(locale: Locale, status: string) {
  const kind = status === "on-hold" ? "hold" : status === "closed" ? "done" : "";
  return html`<span class="tag ${kind}">${caseStatusName(locale, status)}</span>`;
}

function dueText(step: StepView): string {
  return step.dueDateExtended && step.dueDateExtended !== step.dueDate
    ? `${step.dueDate} (${step.dueDateExtended})`
    : step.dueDate;
}

/** The filter form, the list and its pager. */
export function caseListPage(
  ctx: HrContext,
  input: {
    query: ListQuery;
    page: CasePage;
    total: number;
    names: ReadonlyMap<string, string>;
    entities: readonly { id: string; name: string }[];
  },
) {
  const { locale } = ctx;
  const t = translator(locale);
  const { query, page } = input;
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ""}>${label}</option>`;
  const filters = html`<form method="get" action="/hr" class="panel filters" role="search">
<div><label for="q">${t("hr.list.search")}</label><input id="q" name="q" value="${query.q ?? ""}" maxlength="100" placeholder="${t("hr.list.search_hint")}"></div>
<div><label for="status">${t("hr.list.status")}</label><select id="status" name="status">${statusFilters.map(
    (s) => option(s, t(`hr.filter.${s.replace("-", "_")}` as Parameters<typeof t>[0]), s === query.status),
  )}</select></div>
<div><label for="step">${t("hr.list.step")}</label><select id="step" name="step">${option("", t("hr.list.any_step"), !query.step)}${stepKeys.map(
    (key) => option(key, stepName(locale, key), key === query.step),
  )}</select></div>
<div><label for="entity">${t("hr.list.entity")}</label><select id="entity" name="entity">${option("", t("hr.list.any_entity"), !query.entity)}${input.entities.map(
    (e) => option(e.id, `${e.name} (${e.id})`, e.id === query.entity),
  )}</select></div>
<div class="check"><label><input type="checkbox" name="overdue" value="1"${query.overdue ? html` checked` : ""}> ${t("hr.list.overdue_only")}</label></div>
<div><button type="submit">${t("hr.list.apply")}</button> <a class="button secondary" href="/hr">${t("hr.list.reset")}</a></div>
</form>`;

  const rows = page.cases.map((item) => caseRow(ctx, item, input.names, input.entities));
  const table = page.cases.length
    ? html`<table class="cards">
<thead><tr><th>${t("hr.col.employee")}</th><th>${t("hr.col.type")}</th><th>${t("hr.col.status")}</th><th>${t("hr.col.notice_date")}</th><th>${t("hr.col.legal_last_day")}</th><th>${t("hr.col.planned_last_day")}</th><th>${t("hr.col.current_step")}</th><th>${t("hr.col.owner")}</th><th>${t("hr.col.due")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p class="panel">${t("hr.list.empty")}</p>`;

  const pager = html`<nav class="pager" aria-label="${t("hr.list.pages")}">
${page.previous ? html`<a href="/hr?${listQueryString(query)}">${t("hr.list.first")}</a> <a href="/hr?${listQueryString(query, { before: formatCursor(page.previous) })}" rel="prev">${t("hr.list.previous")}</a>` : ""}
${page.next ? html`<a href="/hr?${listQueryString(query, { after: formatCursor(page.next) })}" rel="next">${t("hr.list.next")}</a>` : ""}
</nav>`;

  return consolePage(ctx, {
    section: "cases",
    title: t("hr.list.title"),
    body: html`<h1>${t("hr.list.title")}</h1>
${filters}
<p class="muted">${t("hr.list.count", { count: input.total })} · <a href="/hr/cases.csv?${listQueryString(query)}">${t("hr.list.export_csv")}</a></p>
${table}
${pager}`,
  });
}

function caseRow(
  ctx: HrContext,
  item: ListedCase,
  names: ReadonlyMap<string, string>,
  entities: readonly { id: string; name: string }[],
) {
  const { locale } = ctx;
  const t = translator(locale);
  const v = item.view;
  const entity = entities.find((e) => e.id === item.entityId);
  const current = item.current;
  const label = (key: Parameters<typeof t>[0]) => t(key);
  return html`<tr${item.overdue ? html` class="overdue"` : ""}>
<td data-label="${label("hr.col.employee")}"><a href="/hr/cases/${v.id}">${item.name}</a> <span class="muted">${v.employeeExternalId}${entity ? ` · ${entity.name}` : ""}</span></td>
<td data-label="${label("hr.col.type")}">${separationName(locale, v.separationType)}</td>
<td data-label="${label("hr.col.status")}">${statusTag(locale, v.status)}</td>
<td data-label="${label("hr.col.notice_date")}" class="nowrap">${v.noticeDate}</td>
<td data-label="${label("hr.col.legal_last_day")}" class="nowrap">${v.legalLastDay ?? "—"}</td>
<td data-label="${label("hr.col.planned_last_day")}" class="nowrap">${v.plannedLastDay}</td>
<td data-label="${label("hr.col.current_step")}">${current.length ? current.map((s, i) => html`${i ? html`<br>` : ""}${stepName(locale, s.key)}`) : "—"}</td>
<td data-label="${label("hr.col.owner")}">${current.length ? current.map((s, i) => html`${i ? html`<br>` : ""}${whoName(locale, names, s.owner)}`) : "—"}</td>
<td data-label="${label("hr.col.due")}" class="nowrap">${
    current.length
      ? current.map(
          (s, i) =>
            html`${i ? html`<br>` : ""}${dueText(s)}${s.dueDate < item.today ? html` <span class="tag overdue">${t("hr.overdue")}</span>` : ""}`,
        )
      : "—"
  }</td>
</tr>`;
}

/** The people a case page names: owners, receivers, delegates, who completed, who acted. */
export function principalsOf(
  item: ListedCase,
  trail: readonly TrailEntry[],
  certificates?: CaseCertificates,
) {
  const out = new Set<string>();
  for (const s of item.view.steps) {
    out.add(s.owner);
    if (s.receiver) out.add(s.receiver);
    for (const d of s.delegates) out.add(d);
    if (s.completedBy) out.add(s.completedBy);
  }
  for (const e of trail) out.add(e.actor);
  for (const v of certificates?.versions ?? []) {
    out.add(v.issuedBy);
    if (v.revokedBy) out.add(v.revokedBy);
  }
  return out;
}

const reasonField = (t: ReturnType<typeof translator>) =>
  html`<label>${t("hr.form.reason")}<textarea name="reason" required maxlength="2000"></textarea></label>`;

function agreementFields(t: ReturnType<typeof translator>, required: boolean) {
  const req = required ? html` required` : "";
  return html`<fieldset><legend>${t(required ? "hr.form.agreement" : "hr.form.agreement_optional")}</legend>
<label>${t("hr.form.agreement_at")}<input type="datetime-local" name="agreementAt"${req}></label>
<label>${t("hr.form.agreement_via")}<select name="agreementVia">
<option value="">—</option>
<option value="written">${t("hr.via.written")}</option>
<option value="email">${t("hr.via.email")}</option>
<option value="chat">${t("hr.via.chat")}</option>
<option value="in-person">${t("hr.via.in_person")}</option>
</select></label>
<label>${t("hr.form.agreement_reference")}<input name="agreementReference" maxlength="500"${req}></label>
</fieldset>`;
}

function actionForm(
  ctx: HrContext,
  caseId: string,
  action: string,
  title: string,
  help: string,
  fields: Content,
  button: string,
  danger = false,
) {
  return html`<form method="post" action="/hr/cases/${caseId}/${action}" id="action-${action}">
${csrfField(ctx)}
<h3>${title}</h3>
<p class="muted">${help}</p>
${fields}
<p><button type="submit"${danger ? html` class="danger"` : ""}>${button}</button></p>
</form>`;
}

function stepSelect(locale: Locale, t: ReturnType<typeof translator>, steps: readonly StepView[]) {
  return html`<label>${t("hr.form.step")}<select name="step" required>${steps.map(
    (s) =>
      html`<option value="${s.key}">${stepName(locale, s.key)} · ${stepStatusName(locale, s.status)}</option>`,
  )}</select></label>`;
}

function adminForms(ctx: HrContext, item: ListedCase) {
  const { locale } = ctx;
  const t = translator(locale);
  const v = item.view;
  if (v.status !== "open" && v.status !== "on-hold") {
    return html`<p class="panel muted">${t("hr.case.closed_no_actions", { status: caseStatusName(locale, v.status) })}</p>`;
  }
  const open = v.steps.filter((s) => s.status === "active" || s.status === "pending");
  const reassignable = open.filter((s) => isReassignable(s.ownerRole));
  const form = actionForm.bind(null, ctx, v.id);
  return html`<div class="actions">
${
  reassignable.length
    ? form(
        "reassign",
        t("hr.action.reassign"),
        t("hr.action.reassign_help"),
        html`${stepSelect(locale, t, reassignable)}<label>${t("hr.form.owner")}<input name="owner" required maxlength="80" placeholder="E1100 / hr / finance"></label>${reasonField(t)}`,
        t("hr.action.reassign"),
      )
    : ""
}
${
  open.length
    ? form(
        "delegate",
        t("hr.action.delegate"),
        t("hr.action.delegate_help"),
        html`${stepSelect(locale, t, open)}<label>${t("hr.form.delegate_to")}<input name="to" required maxlength="80" placeholder="E1100"></label>${reasonField(t)}`,
        t("hr.action.delegate"),
      )
    : ""
}
${
  open.length
    ? form(
        "due-date",
        t("hr.action.due_date"),
        t("hr.action.due_date_help", { lastDay: v.plannedLastDay }),
        html`${stepSelect(locale, t, open)}<label>${t("hr.form.due_date")}<input type="date" name="dueDate" required></label>${reasonField(t)}`,
        t("hr.action.due_date"),
      )
    : ""
}
${
  v.status === "open"
    ? form("hold", t("hr.action.hold"), t("hr.action.hold_help"), reasonField(t), t("hr.action.hold"))
    : form("resume", t("hr.action.resume"), t("hr.action.resume_help"), reasonField(t), t("hr.action.resume"))
}
${form(
  "notice-date",
  t("hr.action.notice_date"),
  t("hr.action.notice_date_help", { noticeDate: v.noticeDate }),
  html`<label>${t("hr.form.notice_date")}<input type="date" name="noticeDate" required></label>${reasonField(t)}`,
  t("hr.action.notice_date"),
)}
${form(
  "last-day",
  t("hr.action.last_day"),
  t("hr.action.last_day_help", { legalLastDay: v.legalLastDay ?? "—", requested: v.requestedLastDay ?? "—" }),
  html`<label>${t("hr.form.last_day")}<input type="date" name="lastDay" required></label>${reasonField(t)}${agreementFields(t, false)}`,
  t("hr.action.last_day"),
)}
${form(
  "withdraw",
  t("hr.action.withdraw"),
  t("hr.action.withdraw_help"),
  html`${reasonField(t)}${agreementFields(t, true)}`,
  t("hr.action.withdraw"),
  true,
)}
</div>`;
}

function certificatePanel(
  ctx: HrContext,
  item: ListedCase,
  certs: CaseCertificates,
  names: ReadonlyMap<string, string>,
) {
  const { locale } = ctx;
  const t = translator(locale);
  const v = item.view;
  const current = certs.current;
  const versions = certs.versions.length
    ? html`<table class="cards"><thead><tr><th>${t("hr.cert.version")}</th><th>${t("hr.col.status")}</th><th>${t("hr.cert.issued")}</th><th>${t("hr.cert.revoked")}</th><th>${t("hr.cert.links")}</th></tr></thead><tbody>${certs.versions.map(
        (c) => html`<tr>
<td data-label="${t("hr.cert.version")}">${c.version}</td>
<td data-label="${t("hr.col.status")}">${t(c.status === "issued" ? "hr.cert.status_issued" : "hr.cert.status_revoked")}</td>
<td data-label="${t("hr.cert.issued")}">${formatInstant(ctx, c.issuedAt)} · ${whoName(locale, names, c.issuedBy)}</td>
<td data-label="${t("hr.cert.revoked")}">${c.revokedAt ? html`${formatInstant(ctx, c.revokedAt)} · ${whoName(locale, names, c.revokedBy)}` : "—"}</td>
<td data-label="${t("hr.cert.links")}"><a href="/hr/certificates/${c.id}.pdf">PDF</a> · <a href="${c.verifyUrl}">${t("hr.cert.verify")}</a></td>
</tr>`,
      )}</tbody></table>`
    : html`<p class="muted">${t("hr.cert.none")}</p>`;
  const confirmBox = (service: string | null) =>
    html`<label class="check"><input type="checkbox" name="yearsOfServiceConfirmed" value="1" required> ${t("hr.cert.confirm_years", { service: service ?? "—" })}</label>`;
  let forms: Content = "";
  if (current) {
    forms = html`<div class="actions">
<form method="post" action="/hr/cases/${v.id}/certificate/revoke" id="action-certificate-revoke">${csrfField(ctx)}
<input type="hidden" name="certificateId" value="${current.id}">
<h3>${t("hr.cert.revoke")}</h3><p class="muted">${t("hr.cert.revoke_help")}</p>
<label>${t("hr.form.reason")}<textarea name="reason" required minlength="3" maxlength="500"></textarea></label>
<p><button type="submit" class="danger">${t("hr.cert.revoke")}</button></p></form>
<form method="post" action="/hr/cases/${v.id}/certificate/reissue" id="action-certificate-reissue">${csrfField(ctx)}
<input type="hidden" name="certificateId" value="${current.id}">
<h3>${t("hr.cert.reissue")}</h3><p class="muted">${t("hr.cert.reissue_help")}</p>
<label>${t("hr.form.reason")}<textarea name="reason" required minlength="3" maxlength="500"></textarea></label>
${confirmBox(null)}
<p><button type="submit">${t("hr.cert.reissue")}</button></p></form>
</div>`;
  } else if (v.status !== "withdrawn" && certs.draft) {
    const draft = certs.draft;
    const service = draft.yearsOfService
      ? locale === "zh-CN"
        ? draft.yearsOfService.zh
        : draft.yearsOfService.en
      : null;
    forms = html`<div class="actions"><form method="post" action="/hr/cases/${v.id}/certificate" id="action-certificate-issue">${csrfField(ctx)}
<h3>${t("hr.cert.issue")}</h3>
<p class="muted">${certs.due ? t("hr.cert.issue_help") : t("hr.cert.not_yet", { lastDay: certs.plannedLastDay })}</p>
${
  draft.problems.length
    ? html`<p>${t("hr.cert.missing")}</p><ul>${draft.problems.map((p) => html`<li><code>${p.field}</code> ${p.message}</li>`)}</ul>`
    : ""
}
${confirmBox(service)}
<p><button type="submit">${t("hr.cert.issue")}</button></p></form></div>`;
  }
  return html`<h2 id="certificate">${t("hr.cert.title")}</h2>
<div class="panel">${current ? html`<p>${t("hr.cert.current", { version: current.version, issueDate: current.issueDate })}</p>` : ""}${versions}</div>
${forms}`;
}

/**
 * The handover step's checklist as last saved (template items and CRM accounts), with how many are
 * ticked; nothing when the case has no handover step or its checklist is empty.
 */
function checklistPanel(ctx: HrContext, item: ListedCase, crmNames: ReadonlyMap<string, string>) {
  const { locale } = ctx;
  const t = translator(locale);
  const step = item.view.steps.find((s) => s.key === "handover");
  const entries = Object.entries(step?.checklist ?? {});
  if (!step || entries.length === 0) return "";
  const done = entries.filter(([, ticked]) => ticked).length;
  return html`<h2 id="handover">${t("hr.checklist.title")}</h2>
<div class="panel">
<p><strong>${t("hr.checklist.progress", { done, total: entries.length })}</strong> <span class="muted">${t("hr.checklist.step", { status: stepStatusName(locale, step.status) })}</span></p>
<ul class="checklist">${entries.map(
    ([id, ticked]) =>
      html`<li class="${ticked ? "done" : "open"}" data-item="${id}"><span class="mark" aria-hidden="true">${ticked ? "☑" : "☐"}</span><span class="label">${checklistItemName(locale, id, crmNames)}${crmNames.has(id) ? html` <span class="muted">${t("hr.checklist.crm")}</span>` : ""}</span><span class="tag${ticked ? " done" : ""}">${t(ticked ? "hr.checklist.done" : "hr.checklist.open")}</span></li>`,
  )}</ul>
</div>`;
}

/** A case: its dates, steps, certificate, the administration forms and its evidence trail. */
export function casePage(
  ctx: HrContext,
  input: {
    item: ListedCase;
    names: ReadonlyMap<string, string>;
    entityName: string | null;
    certificates: CaseCertificates | null;
    trail: { entries: TrailEntry[]; total: number };
    flash: Flash;
    /** Names of the CRM accounts on the handover checklist, by checklist item id. */
    crmNames?: ReadonlyMap<string, string>;
  },
) {
  const { locale } = ctx;
  const t = translator(locale);
  const { item, names } = input;
  const v = item.view;
  const fact = (label: string, value: Content) => html`<dt>${label}</dt><dd>${value}</dd>`;
  const facts = html`<dl class="facts panel">
${fact(t("hr.case.id"), html`<span class="wrap">${v.id}</span>`)}
${fact(t("hr.col.employee"), `${item.name} (${v.employeeExternalId})`)}
${fact(t("hr.col.entity"), input.entityName ? `${input.entityName} (${item.entityId})` : (item.entityId ?? "—"))}
${fact(t("hr.col.type"), `${separationName(locale, v.separationType)} · ${v.article}`)}
${fact(t("hr.case.probation"), yesNo(locale, v.probation))}
${fact(t("hr.col.notice_date"), html`${v.noticeDate} <span class="muted">${t("hr.case.received", { at: formatInstant(ctx, v.noticeReceivedAt), channel: v.noticeChannel })}</span>`)}
${fact(t("hr.col.legal_last_day"), v.legalLastDay ?? "—")}
${fact(t("hr.case.requested_last_day"), v.requestedLastDay ?? "—")}
${fact(t("hr.case.agreed_last_day"), v.agreedLastDay ?? "—")}
${fact(t("hr.col.planned_last_day"), html`<strong>${v.plannedLastDay}</strong>${v.earlierDayNeedsAgreement ? html` <span class="tag hold">${t("hr.case.earlier_needs_agreement")}</span>` : ""}`)}
${fact(t("hr.case.certificate_due"), v.certificateDue)}
${fact(t("hr.case.transfer_due"), v.transferDueExtended !== v.transferDue ? `${v.transferDue} (${v.transferDueExtended})` : v.transferDue)}
${fact(t("hr.case.opened"), formatInstant(ctx, v.openedAt))}
${v.closedAt ? fact(t("hr.case.closed"), formatInstant(ctx, v.closedAt)) : ""}
</dl>`;

  const steps = html`<table class="cards">
<thead><tr><th>${t("hr.col.step")}</th><th>${t("hr.col.owner")}</th><th>${t("hr.col.status")}</th><th>${t("hr.col.started")}</th><th>${t("hr.col.due")}</th><th>${t("hr.col.completed")}</th></tr></thead>
<tbody>${v.steps.map((s) => {
    const overdue = s.status === "active" && s.dueDate < item.today;
    return html`<tr${overdue ? html` class="overdue"` : ""}>
<td data-label="${t("hr.col.step")}">${stepName(locale, s.key)} <span class="muted">${s.key}</span></td>
<td data-label="${t("hr.col.owner")}">${whoName(locale, names, s.owner)}${
      s.delegates.length
        ? html`<br><span class="muted">${t("hr.case.delegates")}: ${s.delegates.map((d) => whoName(locale, names, d)).join(", ")}</span>`
        : ""
    }${s.receiver ? html`<br><span class="muted">${t("hr.case.receiver")}: ${whoName(locale, names, s.receiver)}</span>` : ""}</td>
<td data-label="${t("hr.col.status")}">${stepStatusName(locale, s.status)}${overdue ? html` <span class="tag overdue">${t("hr.overdue")}</span>` : ""}</td>
<td data-label="${t("hr.col.started")}">${s.startedAt ? formatInstant(ctx, s.startedAt) : html`<span class="muted">${s.projected ? t("hr.case.projected", { date: s.startDate }) : s.startDate}</span>`}</td>
<td data-label="${t("hr.col.due")}" class="nowrap">${dueText(s)}${s.dueOverridden ? html` <span class="tag">${t("hr.case.overridden")}</span>` : ""}</td>
<td data-label="${t("hr.col.completed")}">${s.completedAt ? html`${formatInstant(ctx, s.completedAt)}<br><span class="muted">${whoName(locale, names, s.completedBy)} · ${outcomeName(locale, s.outcome)}</span>` : s.outcome ? outcomeName(locale, s.outcome) : "—"}</td>
</tr>`;
  })}</tbody></table>`;

  const trail = html`<h2 id="evidence">${t("hr.trail.title")}</h2>
<p class="muted">${t("hr.trail.count", { shown: input.trail.entries.length, total: input.trail.total })}</p>
${
  input.trail.entries.length
    ? html`<table class="cards"><thead><tr><th>${t("hr.trail.at")}</th><th>${t("hr.trail.action")}</th><th>${t("hr.trail.actor")}</th><th>${t("hr.trail.chain")}</th></tr></thead><tbody>${input.trail.entries.map(
        (e) => html`<tr>
<td data-label="${t("hr.trail.at")}">${formatInstant(ctx, e.at)}</td>
<td data-label="${t("hr.trail.action")}"><code>${e.action}</code></td>
<td data-label="${t("hr.trail.actor")}">${whoName(locale, names, e.actor)}</td>
<td data-label="${t("hr.trail.chain")}">${e.seq === null ? t("hr.trail.pending") : `#${e.seq}`}</td>
</tr>`,
      )}</tbody></table>`
    : ""
}`;

  return consolePage(ctx, {
    section: "cases",
    title: `${item.name} (${v.employeeExternalId})`,
    flash: input.flash,
    body: html`<p><a href="/hr">← ${t("hr.list.title")}</a></p>
<h1>${item.name} <span class="muted">${v.employeeExternalId}</span> ${statusTag(locale, v.status)}${item.overdue ? html` <span class="tag overdue">${t("hr.overdue")}</span>` : ""}</h1>
${facts}
<h2 id="steps">${t("hr.case.steps")}</h2>
${steps}
${checklistPanel(ctx, item, input.crmNames ?? new Map())}
${input.certificates ? certificatePanel(ctx, item, input.certificates, names) : ""}
<h2 id="administration">${t("hr.case.administration")}</h2>
<p class="muted">${t("hr.case.administration_help")}</p>
${adminForms(ctx, item)}
${trail}`,
  });
}
