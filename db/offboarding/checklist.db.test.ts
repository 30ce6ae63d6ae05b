import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { offboardingDepsOf } from "../../adapters/http/offboarding.ts";
import type { OffboardingCommands } from "../../core/offboarding/commands.ts";
import type { CheckGate } from "../../core/offboarding/gates.ts";
import { manualClock, type TestApp } from "../../test/helpers/app.ts";
import { testDatabase } from "../../test/helpers/db.ts";
import { companyTestApp, evidenceCount } from "../../test/helpers/offboarding.ts";
import type { Database } from "../client.ts";
import { delegateStep, holdCase, withdrawCase } from "./administration.ts";
import { offboardingCommands } from "./index.ts";

let database: Database;
let t: TestApp;
let commands: OffboardingCommands;
let clock: ReturnType<typeof manualClock>;

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  clock = manualClock(new Date("2026-03-02T02:00:00Z"));
  t = await companyTestApp(database, clock);
  commands = offboardingCommands(offboardingDepsOf(t.services));
});

/** E1's case with the handover running (M1 owns it; E2 receives it once M1 acknowledges). */
async function openCase(): Promise<string> {
  const { case: view } = await commands.openCase({
    employeeExternalId: "E1",
    noticeDate: "2026-03-02",
    actor: "system:oa",
  });
  return view.id;
}

const save = (caseId: string, actor: string, checklist: Record<string, boolean>, note?: string) =>
  commands.saveChecklist({ caseId, stepKey: "handover", actor, checklist, ...(note ? { note } : {}) });

async function version(caseId: string): Promise<number> {
  const rows = await database.query<{ version: number }>(sql`select version from cases where id = ${caseId}`);
  return Number(rows[0]?.version);
}

const savedEntries = () =>
  database.query<{ actor: string; subject: string; data: Record<string, unknown> }>(
    sql`select actor, subject, data from evidence_entries where action = 'case.checklist.saved' order by at, id`,
  );

async function storedChecklist(caseId: string) {
  return (await commands.getCase(caseId)).steps.find((s) => s.key === "handover")?.checklist;
}

describe("saveChecklist", () => {
  it("stores the owner's ticks on the running step without completing it, bumps the version and records evidence", async () => {
    const id = await openCase();
    const before = await version(id);
    const result = await save(id, "employee:M1", { documents: true, code: true });
    expect(result).toMatchObject({ changed: true, capacity: "owner" });
    const step = result.case.steps.find((s) => s.key === "handover");
    expect(step).toMatchObject({
      status: "active",
      completedAt: null,
      checklist: { documents: true, code: true, "customer-accounts": false, equipment: false },
    });
    // Stored: read again, as someone coming back tomorrow would.
    expect(await storedChecklist(id)).toEqual({
      documents: true,
      code: true,
      "customer-accounts": false,
      equipment: false,
    });
    expect(await version(id)).toBe(before + 1);
    const entries = await savedEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: "employee:M1",
      subject: `case:${id}`,
      data: {
        caseId: id,
        employee: "E1",
        step: "handover",
        capacity: "owner",
        noteSha256: null,
        changed: { documents: true, code: true },
        done: 2,
        items: 4,
      },
    });
    expect(await evidenceCount(database, "case.step.completed")).toBe(0);

    // Unticking is saved too; items not sent keep their value.
    clock.advance(60_000);
    const second = await save(id, "employee:M1", { code: false });
    expect(second.changed).toBe(true);
    expect(await storedChecklist(id)).toMatchObject({ documents: true, code: false });
    expect(await version(id)).toBe(before + 2);
    expect((await savedEntries()).at(-1)?.data).toMatchObject({ changed: { code: false }, done: 1 });
  });

  it("a save that changes nothing writes nothing and succeeds", async () => {
    const id = await openCase();
    await save(id, "employee:M1", { documents: true });
    const v = await version(id);
    const again = await save(id, "employee:M1", { documents: true, code: false });
    expect(again).toMatchObject({ changed: false, capacity: "owner" });
    expect(await save(id, "employee:M1", {})).toMatchObject({ changed: false });
    expect(await version(id)).toBe(v);
    expect(await savedEntries()).toHaveLength(1);
  });

  it("refuses unknown items with 422 and changes nothing", async () => {
    const id = await openCase();
    const v = await version(id);
    await expect(
      save(id, "employee:M1", { documents: true, moon: true, toString: true }),
    ).rejects.toMatchObject({
      code: "unprocessable",
      messageKey: "case.step_data",
      message: "unknown checklist items: moon, toString",
    });
    expect((await storedChecklist(id))?.documents).toBe(false);
    expect(await version(id)).toBe(v);
    expect(await savedEntries()).toHaveLength(0);
    // Completing the step checks its list the same way (an inherited name is no item either).
    await expect(
      commands.completeStep({
        caseId: id,
        stepKey: "handover",
        actor: "employee:M1",
        data: { checklist: { toString: true } },
      }),
    ).rejects.toMatchObject({ code: "unprocessable", message: "unknown checklist items: toString" });
    expect(await version(id)).toBe(v);
  });

  it("lets the owner side save — the delegate, HR on behalf with a reason — and no one else", async () => {
    const id = await openCase();
    await commands.completeStep({
      caseId: id,
      stepKey: "acknowledge",
      actor: "employee:M1",
      data: { receiver: "E2" },
    });
    const v = await version(id);
    // The receiver confirms receipt; they do not tick the owner's list.
    await expect(save(id, "employee:E2", { documents: true })).rejects.toMatchObject({
      code: "forbidden",
      messageKey: "case.checklist_receiver",
    });
    // The leaver never acts on their own approvals.
    await expect(save(id, "employee:E1", { documents: true })).rejects.toMatchObject({
      code: "forbidden",
      messageKey: "case.own_case",
    });
    await expect(save(id, "employee:E3", { documents: true })).rejects.toMatchObject({
      code: "forbidden",
      messageKey: "case.checklist_not_yours",
    });
    await expect(save(id, "system:oa", { documents: true })).rejects.toMatchObject({ code: "forbidden" });
    await expect(save(id, "employee:HR1", { documents: true })).rejects.toMatchObject({
      code: "unprocessable",
      messageKey: "case.reason_required",
    });
    expect(await version(id)).toBe(v);
    expect(await savedEntries()).toHaveLength(0);

    const onBehalf = await save(id, "employee:HR1", { documents: true }, "M1 is travelling");
    expect(onBehalf).toMatchObject({ changed: true, capacity: "hr-on-behalf" });
    expect((await savedEntries())[0]?.data).toMatchObject({ capacity: "hr-on-behalf" });
    expect((await savedEntries())[0]?.data.noteSha256).toMatch(/^[0-9a-f]{64}$/);

    await delegateStep(offboardingDepsOf(t.services), {
      caseId: id,
      actor: "employee:HR1",
      reason: "M1 is on leave",
      stepKey: "handover",
      to: "M2",
    });
    expect(await save(id, "employee:M2", { code: true })).toMatchObject({
      changed: true,
      capacity: "delegate",
    });
    expect(await storedChecklist(id)).toMatchObject({ documents: true, code: true });
  });

  it("saves only while the step runs: 409 before it starts and once it is done or cancelled, 422/404 for other steps", async () => {
    const waiting: CheckGate = {
      name: "agreement",
      evaluate: async () => ({
        gate: "agreement",
        satisfied: false,
        items: [{ id: "nda@1", title: "NDA", satisfied: false }],
      }),
      request: async () => {},
    };
    t.services.gates = [waiting];
    const pending = await openCase();
    expect((await commands.getCase(pending)).steps.find((s) => s.key === "handover")?.status).toBe("pending");
    await expect(save(pending, "employee:M1", { documents: true })).rejects.toMatchObject({
      code: "conflict",
      messageKey: "case.step_not_started",
    });
    await expect(
      commands.saveChecklist({
        caseId: pending,
        stepKey: "settlement",
        actor: "employee:FIN1",
        checklist: {},
      }),
    ).rejects.toMatchObject({ code: "unprocessable", messageKey: "case.step_data" });
    await expect(
      commands.saveChecklist({ caseId: pending, stepKey: "moon", actor: "employee:M1", checklist: {} }),
    ).rejects.toMatchObject({ code: "not_found", messageKey: "case.step_not_found" });

    const deps = offboardingDepsOf(t.services);
    await withdrawCase(deps, {
      caseId: pending,
      actor: "employee:HR1",
      reason: "both agreed",
      employeeAgreement: { at: "2026-03-02T03:00:00Z", via: "written", reference: "W-1" },
    });
    await expect(save(pending, "employee:M1", { documents: true })).rejects.toMatchObject({
      code: "conflict",
      messageKey: "case.step_closed",
      params: { step: "handover", status: "cancelled" },
    });
    expect(await savedEntries()).toHaveLength(0);
  });

  it("saves on a case on hold; completing later keeps the saved ticks; a done step refuses saves", async () => {
    const id = await openCase();
    const deps = offboardingDepsOf(t.services);
    await holdCase(deps, { caseId: id, actor: "employee:HR1", reason: "waiting for a document" });
    expect(await save(id, "employee:M1", { documents: true, equipment: true })).toMatchObject({
      changed: true,
    });
    await commands.completeStep({ caseId: id, stepKey: "handover", actor: "employee:M1" });
    const done = (await commands.getCase(id)).steps.find((s) => s.key === "handover");
    expect(done).toMatchObject({
      status: "done",
      checklist: { documents: true, code: false, "customer-accounts": false, equipment: true },
    });
    await expect(save(id, "employee:M1", { code: true })).rejects.toMatchObject({
      code: "conflict",
      messageKey: "case.step_closed",
      params: { step: "handover", status: "done" },
    });
  });
});
