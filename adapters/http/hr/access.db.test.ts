import { describe, expect, it } from "vitest";
import {
  type Console,
  evidence,
  freshConsoleEachTest,
  get,
  getCase,
  login,
  openCase,
  post,
  putEmployee,
  textOf,
} from "../../../test/helpers/hr-console.ts";

let h: Console;

freshConsoleEachTest((fresh) => {
  h = fresh;
});

describe("the HR console: who gets in", () => {
  it("sends someone without a session to the sign-in, and refuses their form posts", async () => {
    const res = await get(h.t, "/hr");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/chat?next=%2Fhr");

    const deep = await get(h.t, "/hr/cases?status=all");
    expect(deep.headers.get("location")).toBe(`/chat?next=${encodeURIComponent("/hr/cases?status=all")}`);

    const kase = await openCase(h.t, "E1");
    const posted = await post(h.t, `/hr/cases/${kase.id}/hold`, { reason: "waiting" });
    expect(posted.status).toBe(401);
    expect(posted.headers.get("content-type")).toContain("text/html");
    expect((await getCase(h.t, kase.id)).status).toBe("open");
    expect(await evidence(h.database, "case.held")).toHaveLength(0);
  });

  it("refuses a session of someone who is not HR: 403 on pages, and a form post changes nothing", async () => {
    const kase = await openCase(h.t, "E1");
    const colleague = await login(h.t, "employee:E2");
    for (const path of [
      "/hr",
      `/hr/cases/${kase.id}`,
      "/hr/cases.csv",
      "/hr/channels",
      "/hr/calendar",
      "/hr/dead-letters",
    ]) {
      const res = await get(h.t, path, colleague);
      expect(res.status, path).toBe(403);
      expect(textOf(await res.text())).toContain("The HR console is for people with the HR function.");
    }
    // Finance is not HR either.
    const finance = await login(h.t, "employee:FIN1");
    expect((await get(h.t, "/hr", finance)).status).toBe(403);

    const posted = await post(h.t, `/hr/cases/${kase.id}/hold`, { reason: "I would like that" }, colleague);
    expect(posted.status).toBe(403);
    const bound = await post(
      h.t,
      "/hr/channels",
      { platform: "slack", channelId: "C1", purpose: "hr" },
      colleague,
    );
    expect(bound.status).toBe(403);
    expect((await getCase(h.t, kase.id)).status).toBe("open");
    expect(await evidence(h.database, "case.held")).toHaveLength(0);
    expect(await evidence(h.database, "channel.bound")).toHaveLength(0);
  });

  it("lets an HR person in, and turns away one whose HR function was taken away", async () => {
    const hr = await login(h.t, "employee:HR1");
    const res = await get(h.t, "/hr", hr);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).not.toContain("<script");
    expect(textOf(page)).toContain("Signed in as Hui Ren");

    await putEmployee(h.t, "HR1", { name: "Hui Ren", managerExternalId: "CEO", functions: [], locale: "en" });
    expect((await get(h.t, "/hr", hr)).status).toBe(403);
  });

  it("refuses a post without the CSRF token, with a wrong one, or from another site, and nothing changes", async () => {
    const kase = await openCase(h.t, "E1");
    const hr = await login(h.t, "employee:HR1");
    const path = `/hr/cases/${kase.id}/hold`;
    const missing = await post(h.t, path, { reason: "waiting for documents" }, hr, { csrf: null });
    expect(missing.status).toBe(403);
    expect(textOf(await missing.text())).toContain("did not come from Baton");
    const wrong = await post(h.t, path, { reason: "waiting for documents" }, hr, { csrf: "x".repeat(43) });
    expect(wrong.status).toBe(403);
    const otherSession = await login(h.t, "employee:HR2");
    const borrowed = await post(h.t, path, { reason: "waiting" }, hr, { csrf: otherSession.csrf });
    expect(borrowed.status).toBe(403);
    const crossSite = await post(h.t, path, { reason: "waiting" }, hr, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect((await getCase(h.t, kase.id)).status).toBe("open");
    expect(await evidence(h.database, "case.held")).toHaveLength(0);

    const ok = await post(h.t, path, { reason: "waiting for documents" }, hr);
    expect(ok.status).toBe(303);
    expect((await getCase(h.t, kase.id)).status).toBe("on-hold");
  });

  it("keeps the core's rule: an HR person cannot administer their own case", async () => {
    const own = await openCase(h.t, "HR2");
    const hr2 = await login(h.t, "employee:HR2");
    const res = await post(h.t, `/hr/cases/${own.id}/hold`, { reason: "my own" }, hr2);
    expect(res.status).toBe(403);
    expect(textOf(await res.text())).toContain("不能管理自己的案件");
    expect((await getCase(h.t, own.id)).status).toBe("open");
    expect(await evidence(h.database, "case.held")).toHaveLength(0);
    // Another HR person may.
    const hr1 = await login(h.t, "employee:HR1");
    expect((await post(h.t, `/hr/cases/${own.id}/hold`, { reason: "HR1 holds it" }, hr1)).status).toBe(303);
    expect((await getCase(h.t, own.id)).status).toBe("on-hold");
  });
});

describe("the HR console: text and language", () => {
  it("shows names with markup as text, never as markup", async () => {
    await putEmployee(h.t, "E1", {
      name: "<b>x</b><script>alert(1)</script>",
      managerExternalId: "M1",
      locale: "en",
    });
    const kase = await openCase(h.t, "E1");
    const hr = await login(h.t, "employee:HR1");
    for (const path of ["/hr", `/hr/cases/${kase.id}`, "/hr?q=%3Cb%3E"]) {
      const page = await (await get(h.t, path, hr)).text();
      expect(page, path).toContain("&lt;b&gt;x&lt;/b&gt;");
      expect(page, path).not.toContain("<b>x</b>");
      expect(page, path).not.toContain("<script>");
    }
    // A search text comes back into the form's field escaped too.
    const searched = await (await get(h.t, `/hr?q=${encodeURIComponent('"><i>q')}`, hr)).text();
    expect(searched).toContain("&quot;&gt;&lt;i&gt;q");
    expect(searched).not.toContain('"><i>q');
  });

  it("speaks the person's language: Chinese for a zh-CN HR person, English for an en one", async () => {
    await openCase(h.t, "E1");
    const zh = await login(h.t, "employee:HR2");
    const zhPage = textOf(await (await get(h.t, "/hr", zh)).text());
    expect(zhPage).toContain("离职案件");
    expect(zhPage).toContain("法定最后工作日");
    const en = await login(h.t, "employee:HR1");
    const enPage = textOf(await (await get(h.t, "/hr", en, { "accept-language": "zh-CN" })).text());
    expect(enPage).toContain("Offboarding cases");
    expect(enPage).toContain("Legal last day");
    // Without a session, the sign-in page for a post follows Accept-Language.
    const refused = await post(h.t, "/hr/channels", {}, undefined);
    expect(textOf(await refused.text())).toContain("请先登录");
    const refusedEn = await h.t.request("/hr/channels", {
      method: "POST",
      headers: { "accept-language": "en", "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(textOf(await refusedEn.text())).toContain("Sign in first");
  });
});

describe("the HR console: unknown pages", () => {
  it("answers an unknown console address with a 404 page in the console's frame", async () => {
    const hr = await login(h.t, "employee:HR1");
    const res = await get(h.t, "/hr/nothing-here", hr);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(textOf(await res.text())).toContain("Nothing was found here.");
  });
});
