import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { CaseView } from "../../../core/offboarding/case.ts";
import type { Db } from "../../../db/client.ts";
import { recordCrmAccounts } from "../../../db/connectors.ts";
import {
  apiJson,
  type Console,
  evidence,
  freshConsoleEachTest,
  get,
  getCase,
  login,
  openCase,
  post,
  putEmployee,
  type Session,
  textOf,
} from "../../../test/helpers/hr-console.ts";

let h: Console;
let hr: Session;

const day = 24 * 3600 * 1000;

freshConsoleEachTest(async (fresh) => {
  h = fresh;
  hr = await login(h.t, "employee:HR1");
});

/** The case ids a list page links to, in order. */
function listedIds(page: string): string[] {
  return [...page.matchAll(/href="\/hr\/cases\/([0-9a-f-]{36})"/g)].map((m) => m[1] as string);
}

/** Moves the clock; a session lasts 12 hours, so HR signs in again. */
async function advance(days: number): Promise<void> {
  h.clock.advance(days * day);
  hr = await login(h.t, "employee:HR1");
}

async function listPage(query = ""): Promise<string> {
  const res = await get(h.t, `/hr${query}`, hr);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return text;
}

describe("the cases list", () => {
  it("shows open cases with their dates, current steps, owners and due dates, and marks the overdue ones", async () => {
    const e1 = await openCase(h.t, "E1");
    const page = textOf(await listPage());
    expect(listedIds(await listPage())).toEqual([e1.id]);
    expect(page).toContain("Leaver One");
    expect(page).toContain("Resignation (notice)");
    expect(page).toContain("2026-03-02"); // notice
    expect(page).toContain("2026-04-01"); // legal and planned last day
    expect(page).toContain("Manager acknowledgement");
    expect(page).toContain("Manager One (M1)");
    expect(page).toContain("2026-03-03"); // acknowledge due
    expect(page).toContain("Cases found: 1");
    expect(page).not.toContain("Overdue Overdue");
    expect(page.match(/ Overdue /g) ?? []).toHaveLength(1); // only the filter's label

    await advance(3); // Thursday: acknowledge (due Tuesday) is overdue
    const later = await listPage();
    expect(later).toContain('class="tag overdue"');
    expect(later).toContain('<tr class="overdue">');
  });

  it("filters by status, step, overdue and employer, and searches by name, employee id and case id", async () => {
    const e1 = await openCase(h.t, "E1");
    const e2 = await openCase(h.t, "E2");
    await putEmployee(h.t, "E3", {
      name: "Colleague Three",
      managerExternalId: "M1",
      entity: "acme-bj",
      locale: "en",
    });
    const e3 = await openCase(h.t, "E3");
    // E2's case is held, E3's withdrawn.
    expect((await post(h.t, `/hr/cases/${e2.id}/hold`, { reason: "paperwork" }, hr)).status).toBe(303);
    const agreed = { agreementAt: "2026-03-02T15:00", agreementVia: "written", agreementReference: "DOC-1" };
    expect(
      (await post(h.t, `/hr/cases/${e3.id}/withdraw`, { reason: "changed mind", ...agreed }, hr)).status,
    ).toBe(303);

    expect(listedIds(await listPage())).toEqual([e1.id]);
    expect(listedIds(await listPage("?status=on-hold"))).toEqual([e2.id]);
    expect(listedIds(await listPage("?status=withdrawn"))).toEqual([e3.id]);
    expect(new Set(listedIds(await listPage("?status=active")))).toEqual(new Set([e1.id, e2.id]));
    expect(new Set(listedIds(await listPage("?status=all")))).toEqual(new Set([e1.id, e2.id, e3.id]));
    expect(listedIds(await listPage("?status=closed"))).toEqual([]);
    expect(listedIds(await listPage("?status=all&entity=acme-bj"))).toEqual([e3.id]);
    expect(new Set(listedIds(await listPage("?status=all&entity=acme-sh")))).toEqual(new Set([e1.id, e2.id]));

    // Search: part of a name (any case), an employee id, the start of a case id.
    expect(listedIds(await listPage("?status=all&q=leaver"))).toEqual([e1.id]);
    expect(listedIds(await listPage("?status=all&q=e2"))).toEqual([e2.id]);
    expect(listedIds(await listPage(`?status=all&q=${e3.id.slice(0, 8)}`))).toEqual([e3.id]);
    expect(listedIds(await listPage(`?status=all&q=${e3.id.slice(0, 6)}`))).toEqual([e3.id]);
    // Shorter starts of case ids are not searched (an employee id like "e2" would hit 1 id in 256).
    expect(listedIds(await listPage(`?status=all&q=${e3.id.slice(0, 5)}`))).toEqual([]);
    expect(listedIds(await listPage("?status=all&q=nobody"))).toEqual([]);
    expect(listedIds(await listPage("?status=all&q=%25"))).toEqual([]); // a wildcard is a plain character

    // Step: cases whose handover is running; after E1's manager acknowledges, still handover.
    expect(new Set(listedIds(await listPage("?status=active&step=handover")))).toEqual(
      new Set([e1.id, e2.id]),
    );
    expect(listedIds(await listPage("?status=active&step=settlement"))).toEqual([]);

    // Overdue: nothing yet; after the acknowledge step's due date, both running cases.
    expect(listedIds(await listPage("?status=active&overdue=1"))).toEqual([]);
    await advance(2);
    expect(new Set(listedIds(await listPage("?status=active&overdue=1")))).toEqual(new Set([e1.id, e2.id]));
    const manager = await apiJson<{ key: string }>(
      h.t,
      "POST",
      "/api/v1/admin/api-keys",
      { name: "m1", principal: "employee:M1", scopes: ["cases:write"] },
      201,
    );
    const ack = await h.t.request(`/api/v1/cases/${e1.id}/steps/acknowledge/complete`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${manager.key}` },
      body: JSON.stringify({ data: { receiver: "FIN1" } }),
    });
    expect(ack.status, await ack.clone().text()).toBe(200);
    expect(listedIds(await listPage("?status=active&overdue=1"))).toEqual([e2.id]);
  });

  it("pages through many cases in last-day order, forwards and back", async () => {
    const ids: string[] = [];
    for (const [index, id] of ["E1", "E2", "E3", "M1", "FIN1"].entries()) {
      // Different notice dates: planned last days 2026-03-23 … 2026-03-27.
      const view = await openCase(h.t, id, { noticeDate: `2026-02-2${index + 1}` });
      ids.push(view.id);
    }
    const first = await listPage("?size=2");
    expect(listedIds(first)).toEqual(ids.slice(0, 2));
    expect(textOf(first)).toContain("Cases found: 5");
    const next = /href="\/hr\?([^"]*after=[^"]*)"/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toBeDefined();
    const second = await listPage(`?${next}`);
    expect(listedIds(second)).toEqual(ids.slice(2, 4));
    const third = await listPage(
      `?${/href="\/hr\?([^"]*after=[^"]*)"/.exec(second)?.[1]?.replace(/&amp;/g, "&")}`,
    );
    expect(listedIds(third)).toEqual(ids.slice(4));
    expect(third).not.toContain('rel="next"');
    const back = /href="\/hr\?([^"]*before=[^"]*)"/.exec(third)?.[1]?.replace(/&amp;/g, "&");
    expect(listedIds(await listPage(`?${back}`))).toEqual(ids.slice(2, 4));
  });
});

describe("the CSV export", () => {
  it("answers the filtered list as UTF-8 CSV with a BOM, a header, and formulas neutralised", async () => {
    await putEmployee(h.t, "E1", {
      name: '=HYPERLINK("http://x","y")',
      managerExternalId: "M1",
      locale: "en",
    });
    await putEmployee(h.t, "E2", { name: "@SUM(1+1)", managerExternalId: "M1", locale: "en" });
    await putEmployee(h.t, "E3", { name: '林一, "Lin"', managerExternalId: "M1", locale: "en" });
    const e1 = await openCase(h.t, "E1");
    await openCase(h.t, "E2");
    const e3 = await openCase(h.t, "E3");
    const res = await get(h.t, "/hr/cases.csv", hr);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="baton-cases-2026-03-02.csv"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "Case id,Employee id,Name,Employer,Separation,Status,Notice date,Legal last day,Requested last day,Agreed last day,Planned last day,Current step,Owner,Due,Overdue",
    );
    expect(lines).toHaveLength(4);
    const e1Line = lines.find((l) => l.startsWith(e1.id)) ?? "";
    expect(e1Line).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(e1Line).toContain("Acme (Shanghai) Ltd. (acme-sh)");
    expect(e1Line).toContain("2026-04-01");
    expect(e1Line).toContain("Manager acknowledgement; Handover");
    expect(e1Line).toContain("Manager One (M1); Manager One (M1)");
    expect(e1Line.endsWith(",no")).toBe(true);
    expect(text).toContain(",'@SUM(1+1),");
    expect(text).not.toMatch(/,=|,@|,\+|,-[^-]/);
    expect(text).toContain('"林一, ""Lin"""');

    // The filter applies.
    const filtered = await (await get(h.t, `/hr/cases.csv?status=all&q=${e3.id}`, hr)).text();
    expect(filtered.trimEnd().split("\r\n")).toHaveLength(2);
    // In Chinese for a zh-CN person.
    const zh = await login(h.t, "employee:HR2");
    const zhText = await (await get(h.t, "/hr/cases.csv", zh)).text();
    expect(zhText.split("\r\n")[0]).toContain("案件编号,工号,姓名");
  });
});

type Certificates = {
  current: { id: string; version: number; status: string } | null;
  versions: { id: string; version: number; status: string }[];
};

describe("a case page and its administration", () => {
  it("shows the steps with owners, status and dates, the evidence trail, and a form for each action", async () => {
    const kase = await openCase(h.t, "E1");
    const res = await get(h.t, `/hr/cases/${kase.id}`, hr);
    expect(res.status).toBe(200);
    const page = await res.text();
    const text = textOf(page);
    for (const step of [
      "Notice",
      "Manager acknowledgement",
      "Handover",
      "Settlement",
      "Certificate and procedures",
    ]) {
      expect(text).toContain(step);
    }
    expect(text).toContain("Finance"); // settlement's owner group
    expect(text).toContain("starts by"); // a step not started yet
    expect(text).toContain("Evidence trail");
    expect(page).toContain("<code>case.opened</code>");
    for (const action of [
      "reassign",
      "delegate",
      "due-date",
      "hold",
      "notice-date",
      "last-day",
      "withdraw",
    ]) {
      expect(page, action).toContain(`action="/hr/cases/${kase.id}/${action}"`);
    }
    expect(page).toContain(`name="_csrf" value="${hr.csrf}"`);
    expect((await get(h.t, "/hr/cases/not-a-case", hr)).status).toBe(404);
    expect((await get(h.t, "/hr/cases/00000000-0000-4000-8000-000000000000", hr)).status).toBe(404);
  });

  it("runs every administration action through its form, with the evidence, as the API would", async () => {
    const kase = await openCase(h.t, "E1", { requestedLastDay: "2026-03-20" });
    const at = `/hr/cases/${kase.id}`;
    const step = (view: CaseView, key: string) => view.steps.find((s) => s.key === key);
    const act = async (action: string, fields: Record<string, string>) => {
      const res = await post(h.t, `${at}/${action}`, fields, hr);
      expect(res.status, `${action}: ${await res.clone().text()}`).toBe(303);
      expect(res.headers.get("location")).toBe(`${at}?done=${action}`);
    };

    await act("reassign", { step: "handover", owner: "E2", reason: "M1 is travelling" });
    expect(step(await getCase(h.t, kase.id), "handover")?.owner).toBe("employee:E2");
    expect(await evidence(h.database, "case.step.reassigned")).toHaveLength(1);
    expect((await evidence(h.database, "case.step.reassigned"))[0]?.actor).toBe("employee:HR1");

    await act("delegate", { step: "handover", to: "E3", reason: "E3 knows the code" });
    expect(step(await getCase(h.t, kase.id), "handover")?.delegates).toEqual(["employee:E3"]);
    expect(await evidence(h.database, "case.step.delegated")).toHaveLength(1);

    await act("due-date", { step: "handover", dueDate: "2026-03-10", reason: "more time for the handover" });
    expect(step(await getCase(h.t, kase.id), "handover")).toMatchObject({
      dueDate: "2026-03-10",
      dueOverridden: true,
    });
    expect(await evidence(h.database, "case.step.due-overridden")).toHaveLength(1);

    await act("hold", { reason: "waiting for documents" });
    expect((await getCase(h.t, kase.id)).status).toBe("on-hold");
    await act("resume", { reason: "documents arrived" });
    expect((await getCase(h.t, kase.id)).status).toBe("open");
    expect(await evidence(h.database, "case.held")).toHaveLength(1);
    expect(await evidence(h.database, "case.resumed")).toHaveLength(1);

    await act("notice-date", { noticeDate: "2026-03-01", reason: "the letter came on Sunday" });
    const corrected = await getCase(h.t, kase.id);
    expect(corrected).toMatchObject({ noticeDate: "2026-03-01", legalLastDay: "2026-03-31" });
    expect(await evidence(h.database, "case.notice-date.corrected")).toHaveLength(1);

    // The day the employee asked for needs only HR's word; another day the employee's agreement.
    await act("last-day", { lastDay: "2026-03-20", reason: "both agree on the 20th" });
    expect(await getCase(h.t, kase.id)).toMatchObject({
      agreedLastDay: "2026-03-20",
      plannedLastDay: "2026-03-20",
    });
    await act("last-day", {
      lastDay: "2026-03-25",
      reason: "moved again",
      agreementAt: "2026-03-02T11:30",
      agreementVia: "email",
      agreementReference: "mail-42",
    });
    expect(await getCase(h.t, kase.id)).toMatchObject({ plannedLastDay: "2026-03-25" });
    const agreedEntries = await evidence(h.database, "case.last-day.agreed");
    expect(agreedEntries).toHaveLength(2);
    expect(agreedEntries[1]?.data.employeeAgreement).toMatchObject({
      at: "2026-03-02T11:30:00+08:00",
      via: "email",
    });

    // Withdrawing needs the employee's agreement: without it, a 422 on the page and nothing changes.
    const refused = await post(h.t, `${at}/withdraw`, { reason: "stays with us" }, hr);
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain("record the employee's agreement");
    expect((await getCase(h.t, kase.id)).status).toBe("open");
    await act("withdraw", {
      reason: "stays with us",
      agreementAt: "2026-03-03T09:00",
      agreementVia: "written",
      agreementReference: "HR-2026-7",
    });
    const withdrawn = await getCase(h.t, kase.id);
    expect(withdrawn.status).toBe("withdrawn");
    expect(step(withdrawn, "handover")?.status).toBe("cancelled");
    const withdrawal = (await evidence(h.database, "case.withdrawn"))[0];
    expect(withdrawal?.actor).toBe("employee:HR1");
    expect(withdrawal?.data.reasonSha256).toMatch(/^[0-9a-f]{64}$/);

    // The page shows what happened and offers no more actions.
    const page = textOf(await (await get(h.t, `${at}?done=withdraw`, hr)).text());
    expect(page).toContain("The case was withdrawn.");
    expect(page).toContain("nothing more to administer");
  });

  it("refuses an empty reason with a 422 on the page, and changes nothing", async () => {
    const kase = await openCase(h.t, "E1");
    const before = await getCase(h.t, kase.id);
    const forms: [string, Record<string, string>][] = [
      ["hold", { reason: "   " }],
      ["reassign", { step: "handover", owner: "E2", reason: "" }],
      ["delegate", { step: "handover", to: "E2" }],
      ["due-date", { step: "handover", dueDate: "2026-03-04", reason: "" }],
      ["notice-date", { noticeDate: "2026-03-01", reason: "" }],
      ["last-day", { lastDay: "2026-03-20", reason: "" }],
      [
        "withdraw",
        { reason: "", agreementAt: "2026-03-02T10:00", agreementVia: "written", agreementReference: "x" },
      ],
    ];
    for (const [action, fields] of forms) {
      const res = await post(h.t, `/hr/cases/${kase.id}/${action}`, fields, hr);
      expect(res.status, action).toBe(422);
      const text = textOf(await res.text());
      expect(text, action).toContain("Give a reason");
      expect(text, action).toContain("Leaver One"); // the case page, with the message on top
    }
    expect(await getCase(h.t, kase.id)).toEqual(before);
    const [row] = await h.database.query<{ n: number }>(
      sql`select count(*)::int as n from evidence_entries where actor = 'employee:HR1'`,
    );
    expect(row?.n).toBe(0);
    // Other broken rules show on the page too: a due date after the last day.
    const late = await post(
      h.t,
      `/hr/cases/${kase.id}/due-date`,
      { step: "handover", dueDate: "2026-05-01", reason: "later" },
      hr,
    );
    expect(late.status).toBe(422);
    expect(textOf(await late.text())).toContain("never after the last day");
    expect(await getCase(h.t, kase.id)).toEqual(before);
  });
});

describe("the separation certificate from the case page", () => {
  it("issues, revokes and reissues it, each with its evidence, and serves the PDF", async () => {
    await putEmployee(h.t, "E1", {
      name: "林一",
      managerExternalId: "M1",
      locale: "en",
      idNumber: "310101199001011234",
      position: "Engineer",
      hireDate: "2024-03-01",
      serviceStartDate: "2024-03-01",
      contractType: "fixed",
      contractStartDate: "2024-03-01",
      contractEndDate: "2027-02-28",
    });
    const kase = await openCase(h.t, "E1");
    const at = `/hr/cases/${kase.id}`;
    const certs = () => apiJson<Certificates>(h.t, "GET", `/api/v1/cases/${kase.id}/certificate`);

    // Before the last day: the form says from when, and issuing is refused with the reason.
    const early = await post(h.t, `${at}/certificate`, { yearsOfServiceConfirmed: "1" }, hr);
    expect(early.status).toBe(422);
    expect(textOf(await early.text())).toContain("from the last day, 2026-04-01");
    expect((await certs()).current).toBeNull();

    await advance(30); // 2026-04-01, the last day
    const page = textOf(await (await get(h.t, at, hr)).text());
    expect(page).toContain("I have reviewed the years of service: 2 years 1 month");
    const unconfirmed = await post(h.t, `${at}/certificate`, {}, hr);
    expect(unconfirmed.status).toBe(422);
    expect((await certs()).current).toBeNull();

    const issued = await post(h.t, `${at}/certificate`, { yearsOfServiceConfirmed: "1" }, hr);
    expect(issued.status, await issued.clone().text()).toBe(303);
    expect(issued.headers.get("location")).toBe(`${at}?done=certificate-issued`);
    const v1 = (await certs()).current;
    expect(v1).toMatchObject({ version: 1, status: "issued" });
    expect(await evidence(h.database, "certificate.issued")).toHaveLength(1);
    expect((await evidence(h.database, "certificate.issued"))[0]?.actor).toBe("employee:HR1");

    const pdf = await get(h.t, `/hr/certificates/${v1?.id}.pdf`, hr);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe("%PDF-");

    // Revoking needs a reason.
    const noReason = await post(
      h.t,
      `${at}/certificate/revoke`,
      { certificateId: v1?.id ?? "", reason: "" },
      hr,
    );
    expect(noReason.status).toBe(422);
    expect((await certs()).current?.id).toBe(v1?.id);
    const revoked = await post(
      h.t,
      `${at}/certificate/revoke`,
      { certificateId: v1?.id ?? "", reason: "wrong position" },
      hr,
    );
    expect(revoked.status).toBe(303);
    expect((await certs()).current).toBeNull();
    expect(await evidence(h.database, "certificate.revoked")).toHaveLength(1);

    const v2Res = await post(h.t, `${at}/certificate`, { yearsOfServiceConfirmed: "1" }, hr);
    expect(v2Res.status).toBe(303);
    const v2 = (await certs()).current;
    expect(v2).toMatchObject({ version: 2, status: "issued" });

    // A correction in one go: the standing version revoked, the next issued.
    const reissued = await post(
      h.t,
      `${at}/certificate/reissue`,
      { certificateId: v2?.id ?? "", reason: "position corrected", yearsOfServiceConfirmed: "1" },
      hr,
    );
    expect(reissued.status, await reissued.clone().text()).toBe(303);
    const after = await certs();
    expect(after.current).toMatchObject({ version: 3, status: "issued" });
    expect(after.versions.map((v) => [v.version, v.status])).toEqual([
      [3, "issued"],
      [2, "revoked"],
      [1, "revoked"],
    ]);
    expect(await evidence(h.database, "certificate.issued")).toHaveLength(3);
    expect(await evidence(h.database, "certificate.revoked")).toHaveLength(2);
    const shown = textOf(await (await get(h.t, `${at}?done=certificate-reissued`, hr)).text());
    expect(shown).toContain("Version 3 stands");
    expect(shown).toContain("The certificate was revoked and the corrected version issued.");
  });

  it("does not let HR issue the certificate of their own case", async () => {
    const own = await openCase(h.t, "HR1");
    await advance(30);
    const res = await post(h.t, `/hr/cases/${own.id}/certificate`, { yearsOfServiceConfirmed: "1" }, hr);
    expect(res.status).toBe(403);
    expect(textOf(await res.text())).toContain("on your own case");
    expect(await evidence(h.database, "certificate.issued")).toHaveLength(0);
  });
});

describe("the handover checklist on the case page", () => {
  /** The checklist items the page lists: item id → [ticked, label text]. */
  function checklistOf(page: string): Map<string, [boolean, string]> {
    const list = page.match(/<ul class="checklist">([\s\S]*?)<\/ul>/)?.[1] ?? "";
    return new Map(
      [...list.matchAll(/<li class="(done|open)" data-item="([^"]+)">([\s\S]*?)<\/li>/g)].map((m) => [
        m[2] as string,
        [m[1] === "done", textOf(m[3] as string).trim()],
      ]),
    );
  }

  it("lists each item with its label and tick as saved through the API, CRM accounts by name, escaped, in both languages", async () => {
    const view = await openCase(h.t, "E1");
    expect(view.steps.find((s) => s.key === "handover")?.checklist).toBeDefined();
    // CRM lists two accounts (what the CRM connector's webhook stores); one name carries markup.
    await h.database.db.transaction((tx) =>
      recordCrmAccounts(tx as unknown as Db, {
        caseId: view.id,
        accounts: [
          { id: "ACC-1", name: 'Globex <b onmouseover="x()">Ltd</b> & Co' },
          { id: "ACC-2", name: "Initech" },
        ],
        webhookId: "crm-hr-console-1",
        now: h.clock.now(),
      }),
    );
    const at = `/hr/cases/${view.id}`;

    const before = await (await get(h.t, at, hr)).text();
    expect(textOf(before)).toContain("Handover checklist");
    expect(textOf(before)).toContain("0 of 6 handed over");
    expect([...checklistOf(before).values()].every(([ticked]) => !ticked)).toBe(true);

    await apiJson(h.t, "PUT", `/api/v1/cases/${view.id}/steps/handover/checklist`, {
      checklist: { documents: true, equipment: true, "crm:ACC-1": true },
      actor: "M1",
    });
    expect(await evidence(h.database, "case.checklist.saved")).toHaveLength(1);

    const res = await get(h.t, at, hr);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(textOf(page)).toContain("3 of 6 handed over");
    expect(checklistOf(page)).toEqual(
      new Map([
        ["documents", [true, "☑ Documents Handed over"]],
        ["code", [false, "☐ Code and repositories Not yet"]],
        ["customer-accounts", [false, "☐ Customer accounts Not yet"]],
        ["equipment", [true, "☑ Equipment Handed over"]],
        ["crm:ACC-1", [true, '☑ Globex <b onmouseover="x()">Ltd</b> & Co CRM account Handed over']],
        ["crm:ACC-2", [false, "☐ Initech CRM account Not yet"]],
      ]),
    );
    // The CRM's markup is text on the page, never markup.
    expect(page).toContain("Globex &lt;b onmouseover=&quot;x()&quot;&gt;Ltd&lt;/b&gt; &amp; Co");
    expect(page).not.toContain("<b onmouseover");
    // It sits under the steps, before the certificate and the administration.
    expect(page.indexOf('id="handover"')).toBeGreaterThan(page.indexOf('id="steps"'));
    expect(page.indexOf('id="handover"')).toBeLessThan(page.indexOf('id="administration"'));

    const zh = await (await get(h.t, at, await login(h.t, "employee:HR2"))).text();
    expect(textOf(zh)).toContain("交接清单");
    expect(textOf(zh)).toContain("已交接 3 / 6 项");
    expect(checklistOf(zh).get("documents")).toEqual([true, "☑ 文档资料 已交接"]);
    expect(checklistOf(zh).get("crm:ACC-2")).toEqual([false, "☐ Initech CRM 客户账户 未交接"]);

    // Completing the handover keeps the list as it was handed over.
    await apiJson(h.t, "POST", `/api/v1/cases/${view.id}/steps/handover/complete`, {
      data: { checklist: { code: true, "customer-accounts": true, "crm:ACC-2": true } },
      actor: "M1",
    });
    const done = await (await get(h.t, at, hr)).text();
    expect(textOf(done)).toContain("6 of 6 handed over");
    expect([...checklistOf(done).values()].every(([ticked]) => ticked)).toBe(true);
  });

  it("shows no checklist for a case whose handover has none", async () => {
    const view = await openCase(h.t, "E1");
    await h.database.query(
      sql`update case_steps set data = data - 'checklist' where case_id = ${view.id} and key = 'handover'`,
    );
    const page = await (await get(h.t, `/hr/cases/${view.id}`, hr)).text();
    expect(page).not.toContain('id="handover"');
    expect(textOf(page)).not.toContain("Handover checklist");
  });
});
