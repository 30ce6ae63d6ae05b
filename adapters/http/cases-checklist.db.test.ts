import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import type { TestApp } from "../../test/helpers/app.ts";
import { testDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  companyTestApp,
  createKey,
  type ErrorBody,
  evidenceCount,
  request,
} from "../../test/helpers/offboarding.ts";

let database: Database;
let t: TestApp;
let oa: string;
let keys: Record<string, string>;

type StepAnswer = { case: CaseView; changed: boolean; capacity: string };

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  t = await companyTestApp(database);
  oa = await createKey(t, "system:oa", ["cases:write", "cases:read"]);
  keys = { readOnly: await createKey(t, "employee:M1", ["cases:read"]) };
  for (const id of ["HR1", "M1", "E1", "E2", "E3"]) {
    keys[id] = await createKey(t, `employee:${id}`, ["cases:write", "cases:read"]);
  }
});

async function openE1(): Promise<CaseView> {
  const res = await request(
    t,
    "POST",
    "/api/v1/resignations",
    { employeeExternalId: "E1", noticeDate: "2026-03-02" },
    oa,
    { "idempotency-key": `open-${Math.random()}` },
  );
  expect(res.status).toBe(201);
  return (await res.json()) as CaseView;
}

const put = (id: string, body: unknown, token: string, step = "handover") =>
  request(t, "PUT", `/api/v1/cases/${id}/steps/${step}/checklist`, body, token);

const handoverOf = (view: CaseView) => view.steps.find((s) => s.key === "handover");

async function read(id: string): Promise<CaseView> {
  const res = await request(t, "GET", `/api/v1/cases/${id}`, undefined, keys.HR1 as string);
  expect(res.status).toBe(200);
  return (await res.json()) as CaseView;
}

describe("PUT /api/v1/cases/:id/steps/:key/checklist", () => {
  it("saves the manager's ticks and answers the case; reading it later shows them; a repeat changes nothing", async () => {
    const view = await openE1();
    const res = await put(view.id, { checklist: { documents: true, equipment: true } }, keys.M1 as string);
    expect(res.status).toBe(200);
    const body = (await res.json()) as StepAnswer;
    expect(body).toMatchObject({ changed: true, capacity: "owner" });
    expect(handoverOf(body.case)).toMatchObject({
      status: "active",
      checklist: { documents: true, code: false, "customer-accounts": false, equipment: true },
    });
    expect(handoverOf(await read(view.id))?.checklist).toEqual({
      documents: true,
      code: false,
      "customer-accounts": false,
      equipment: true,
    });
    expect(await evidenceCount(database, "case.checklist.saved")).toBe(1);

    const again = await put(view.id, { checklist: { documents: true } }, keys.M1 as string);
    expect(again.status).toBe(200);
    expect(((await again.json()) as StepAnswer).changed).toBe(false);
    expect(await evidenceCount(database, "case.checklist.saved")).toBe(1);
  });

  it("a system key saves for the person it names, held to the same rules; HR on behalf needs a note", async () => {
    const view = await openE1();
    const forM1 = await put(view.id, { checklist: { code: true }, actor: "M1" }, oa);
    expect(forM1.status).toBe(200);
    expect(((await forM1.json()) as StepAnswer).capacity).toBe("owner");
    expect((await put(view.id, { checklist: { code: false }, actor: "E1" }, oa)).status).toBe(403);
    const noReason = await put(view.id, { checklist: { code: false } }, keys.HR1 as string);
    expect(noReason.status).toBe(422);
    const onBehalf = await put(
      view.id,
      { checklist: { code: false }, note: "M1 asked by phone" },
      keys.HR1 as string,
    );
    expect(onBehalf.status).toBe(200);
    expect(((await onBehalf.json()) as StepAnswer).capacity).toBe("hr-on-behalf");
  });

  it("refuses bad input with 400/422, the wrong caller with 401/403, unknown things with 404, a closed step with 409", async () => {
    const view = await openE1();
    const m1 = keys.M1 as string;
    const problems: [unknown, number][] = [
      [{}, 400],
      [{ checklist: { documents: "yes" } }, 400],
      [{ checklist: [true] }, 400],
      [{ checklist: { documents: true }, extra: 1 }, 400],
      [{ checklist: { "": true } }, 400],
      ["{not json", 400],
      [{ checklist: { documents: true }, actor: "not an id!" }, 400],
    ];
    for (const [body, status] of problems) {
      const res = await put(view.id, body, m1);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as ErrorBody).error.code).toBe("bad_request");
    }
    const unknown = await put(view.id, { checklist: { moon: true, documents: true } }, m1);
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as ErrorBody).error.message).toContain("unknown checklist items: moon");
    const noChecklist = await put(view.id, { checklist: {} }, m1, "acknowledge");
    expect(noChecklist.status).toBe(422);
    expect(((await noChecklist.json()) as ErrorBody).error.message).toContain("has no checklist");

    expect((await put(view.id, { checklist: {} }, keys.readOnly as string)).status).toBe(403);
    expect((await put(view.id, { checklist: { documents: true } }, keys.E1 as string)).status).toBe(403);
    expect((await put(view.id, { checklist: { documents: true } }, keys.E3 as string)).status).toBe(403);
    expect(
      (await put(view.id, { checklist: { documents: true }, actor: "M1" }, keys.E3 as string)).status,
    ).toBe(403);
    expect(
      (await t.request(`/api/v1/cases/${view.id}/steps/handover/checklist`, { method: "PUT" })).status,
    ).toBe(401);
    expect((await put("00000000-0000-4000-8000-000000000000", { checklist: {} }, m1)).status).toBe(404);
    expect((await put("nope", { checklist: {} }, m1)).status).toBe(404);
    expect((await put(view.id, { checklist: {} }, m1, "moon")).status).toBe(404);
    expect(await evidenceCount(database, "case.checklist.saved")).toBe(0);
    expect(handoverOf(await read(view.id))?.checklist?.documents).toBe(false);

    const done = await request(t, "POST", `/api/v1/cases/${view.id}/steps/handover/complete`, {}, m1);
    expect(done.status).toBe(200);
    const closed = await put(view.id, { checklist: { documents: true } }, m1);
    expect(closed.status).toBe(409);
    expect(((await closed.json()) as ErrorBody).error.code).toBe("conflict");
  });

  it("is listed in the OpenAPI document", async () => {
    const res = await request(t, "GET", "/api/v1/openapi.json", undefined, adminToken);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths["/api/v1/cases/{id}/steps/{key}/checklist"]).toHaveProperty("put");
  });
});
