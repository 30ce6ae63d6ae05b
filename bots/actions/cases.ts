/**
 * Cases and their steps in chat: the employee's checklist, HR's list, and the cards of the steps
 * people act on (acknowledge, handover, settlement), whose clicks are the core's completeStep —
 * with the core's rules on who may: a wrong person's click is refused and changes nothing.
 */

import { stepName as stepLabel } from "../../cards/templates/context.ts";
import { notAllowed } from "../../cards/templates/general.ts";
import {
  handoverChecklist,
  type MyChecklistData,
  managerAcknowledgement,
  myChecklist,
  settlementRequest,
} from "../../cards/templates/offboarding.ts";
import { compareDates, type IsoDate } from "../../core/compliance/dates.ts";
import { AppError } from "../../core/errors.ts";
import type { MessageKey } from "../../core/messages/index.ts";
import type { CaseView, StepView } from "../../core/offboarding/case.ts";
import { decideChecklistSave } from "../../core/offboarding/checklist.ts";
import { stepOf } from "../../core/offboarding/template.ts";
import { templateById } from "../../core/offboarding/templates.ts";
import { actingParty, decideCompletion, mayReadCase } from "../../core/offboarding/transitions.ts";
import { caseListCard, doneCard } from "../cards.ts";
import { type BotContext, formList, formText, guarded, say, show, tell } from "../context.ts";
import type { Reply } from "../reply.ts";
import { refusePrivileged } from "./privileged.ts";

/** The person picker's search action (a `search` event answers it). */
export const peopleSearchAction = "people.search";

const caseIdPattern = /^[A-Za-z0-9-]{1,64}$/;

/** A case id from a button value; anything else is a case that does not exist. */
export function caseIdOf(value: string | undefined): string {
  const id = value ?? "";
  if (!caseIdPattern.test(id)) {
    throw new AppError("not_found", "There is no such case.", {
      messageKey: "case.not_found",
      params: { id: id.slice(0, 40) },
    });
  }
  return id;
}

export type StepKind = "acknowledge" | "handover" | "settlement" | "other";

/** What a step is for, from the case's template (the receiver naming, the handover, finance's). */
export function stepKind(view: CaseView, key: string): StepKind {
  const template = templateById(view.template.id);
  const rule = template ? stepOf(template, key) : undefined;
  if (!rule) return key === "acknowledge" || key === "handover" || key === "settlement" ? key : "other";
  if (rule.namesReceiverFor) return "acknowledge";
  if (rule.withReceiver) return "handover";
  if (rule.owner === "finance") return "settlement";
  return "other";
}

function stepFor(view: CaseView, kind: Exclude<StepKind, "other">): StepView {
  const step = view.steps.find((s) => stepKind(view, s.key) === kind);
  if (!step) {
    throw new AppError("not_found", `The case has no ${kind} step.`, {
      messageKey: "case.step_not_found",
      params: { step: kind },
    });
  }
  return step;
}

const employeeOf = (view: CaseView) => `employee:${view.employeeExternalId}`;

function actor(ctx: BotContext) {
  return actingParty(ctx.person.principal, ctx.person.functions);
}

/** Whether the person may read the case (the core's rule: HR, finance, the leaver, the step parties). */
function mayRead(ctx: BotContext, view: CaseView): boolean {
  return mayReadCase(actor(ctx), {
    employee: employeeOf(view),
    parties: view.steps.map((s) => ({ ...s, readsGates: false })),
  });
}

/** What the core's rule says about the person completing the step (no reason given in chat). */
function completion(ctx: BotContext, view: CaseView, step: StepView) {
  return decideCompletion({
    step: { ...step, readsGates: false },
    actor: actor(ctx),
    employee: employeeOf(view),
    hasReason: false,
  });
}

/** `act`: the core would let them complete the step; `read`: they may only see the case. */
function access(ctx: BotContext, view: CaseView, step: StepView): "act" | "read" | "none" {
  if (completion(ctx, view, step).allowed) return "act";
  return mayRead(ctx, view) ? "read" : "none";
}

/** The employee's checklist of a case on a given day. */
export function checklistData(view: CaseView, today: IsoDate): MyChecklistData {
  return {
    caseId: view.id,
    plannedLastDay: view.plannedLastDay,
    steps: view.steps
      .filter((s) => s.status !== "cancelled")
      .map((s) => ({
        key: s.key,
        dueDate: s.dueDate,
        status:
          s.status === "done"
            ? "done"
            : s.status === "pending"
              ? "waiting"
              : compareDates(s.dueDate, today) < 0
                ? "overdue"
                : "open",
      })),
  };
}

function checklistReply(ctx: BotContext, view: CaseView): Reply {
  return show(ctx, myChecklist(checklistData(view, ctx.today()), ctx.cards));
}

async function nameOf(ctx: BotContext, externalId: string): Promise<string> {
  return (await ctx.ports.people.names([externalId]))[externalId] ?? externalId;
}

/** `/baton status`, "进度": the person's own running case. */
export function status(ctx: BotContext): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const view = await ctx.ports.cases.activeCaseOf(ctx.person.externalId);
    if (!view) return [say(ctx, ctx.text("bot.status.none"))];
    return [checklistReply(ctx, view)];
  });
}

/**
 * `case.open` / `case.status`: a case's checklist, for those the core lets read it — or, for
 * someone who can act on its running acknowledgement, handover or settlement now (finance, who
 * reach a case from `/baton cases` when no finance channel carries the step's card), that step's card.
 */
export function openCase(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const view = await ctx.ports.cases.getCase(caseIdOf(value));
    if (!mayRead(ctx, view)) return [tell(ctx.event, notAllowed({}, ctx.cards))];
    const actionable = view.steps.find(
      (s) => s.status === "active" && stepKind(view, s.key) !== "other" && access(ctx, view, s) === "act",
    );
    if (actionable) return stepCard(ctx, view, actionable);
    return [checklistReply(ctx, view)];
  });
}

const stepStateKeys: Partial<Record<StepView["status"], MessageKey>> = {
  done: "bot.step.done",
  pending: "bot.step.not_started",
  cancelled: "bot.step.cancelled",
};

function stepName(ctx: BotContext, key: string): string {
  return stepLabel(ctx.cards, key);
}

/** The handover card with the ticks as stored on the step (saved progress included). */
async function handoverCard(ctx: BotContext, view: CaseView, step: StepView, note?: string) {
  const labels = await ctx.ports.cases.checklistLabels(view.id);
  const checklist = step.checklist ?? {};
  return handoverChecklist(
    {
      caseId: view.id,
      employeeName: await nameOf(ctx, view.employeeExternalId),
      dueDate: step.dueDate,
      items: Object.entries(checklist).map(([key, ticked]) => {
        const label =
          labels[key] ?? (key === "customer-accounts" ? ctx.text("card.handover.item.customer") : undefined);
        return { key, ...(label !== undefined ? { label } : {}), done: ticked };
      }),
      ...(note !== undefined ? { note } : {}),
    },
    ctx.cards,
  );
}

/** The card of a step for the person who acts on it (or the case's checklist for a reader). */
async function stepCard(ctx: BotContext, view: CaseView, step: StepView): Promise<Reply[]> {
  const who = access(ctx, view, step);
  if (who === "none") return [tell(ctx.event, notAllowed({}, ctx.cards))];
  const kind = stepKind(view, step.key);
  if (who === "read" || kind === "other") return [checklistReply(ctx, view)];
  const stateKey = stepStateKeys[step.status];
  if (stateKey) return [say(ctx, ctx.text(stateKey, { step: stepName(ctx, step.key) }))];
  const employeeName = await nameOf(ctx, view.employeeExternalId);
  switch (kind) {
    case "acknowledge":
      return [
        show(
          ctx,
          managerAcknowledgement(
            {
              caseId: view.id,
              employeeName,
              noticeDate: view.noticeDate,
              plannedLastDay: view.plannedLastDay,
              candidates: await ctx.ports.people.colleaguesOf(view.employeeExternalId, 10),
              searchAction: peopleSearchAction,
            },
            ctx.cards,
          ),
        ),
      ];
    case "handover":
      return [show(ctx, await handoverCard(ctx, view, step))];
    case "settlement":
      return [
        show(
          ctx,
          settlementRequest(
            { caseId: view.id, employeeName, dueDate: step.dueDate, plannedLastDay: view.plannedLastDay },
            ctx.cards,
          ),
        ),
      ];
  }
}

/** `step.open` (`caseId:step`): the step's card for its owner. */
export function openStep(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const at = (value ?? "").lastIndexOf(":");
    const view = await ctx.ports.cases.getCase(caseIdOf(at > 0 ? value?.slice(0, at) : value));
    const key = at > 0 ? (value ?? "").slice(at + 1) : "";
    const step = view.steps.find((s) => s.key === key);
    if (!step) {
      throw new AppError("not_found", "The case has no such step.", {
        messageKey: "case.step_not_found",
        params: { step: key.slice(0, 32) },
      });
    }
    return stepCard(ctx, view, step);
  });
}

/** `notice.acknowledge`: the manager acknowledges and names the handover receiver. */
export function acknowledge(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const view = await ctx.ports.cases.getCase(caseIdOf(value));
    const step = stepFor(view, "acknowledge");
    const receiver = formText(ctx.event, "receiver")?.trim();
    if (!receiver) {
      if (access(ctx, view, step) !== "act") return [tell(ctx.event, notAllowed({}, ctx.cards))];
      return [say(ctx, ctx.text("bot.ack.receiver_required"), { tone: "warning" })];
    }
    const result = await ctx.ports.cases.completeStep({
      caseId: view.id,
      stepKey: step.key,
      actor: ctx.person.principal,
      data: { receiver },
    });
    const named = result.case.steps.find((s) => stepKind(result.case, s.key) === "handover")?.receiver;
    const receiverId = (named ?? receiver).replace(/^employee:/, "");
    const names = await ctx.ports.people.names([view.employeeExternalId, receiverId]);
    return [
      show(
        ctx,
        doneCard(ctx.cards, {
          title: ctx.text("bot.ack.done_title"),
          body: ctx.text("bot.ack.done", {
            name: names[view.employeeExternalId] ?? view.employeeExternalId,
            receiver: names[receiverId] ?? receiverId,
          }),
          caseId: view.id,
        }),
      ),
    ];
  });
}

function handoverStep(view: CaseView): StepView {
  return stepFor(view, "handover");
}

/**
 * `handover.update` (Save): the ticks are stored on the running step (the core's saveChecklist,
 * with its rules: the receiver only confirms receipt) and the card shows what is stored.
 */
export function updateHandover(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const view = await ctx.ports.cases.getCase(caseIdOf(value));
    const step = handoverStep(view);
    if (access(ctx, view, step) !== "act") return [tell(ctx.event, notAllowed({}, ctx.cards))];
    const stateKey = stepStateKeys[step.status];
    if (stateKey) return [say(ctx, ctx.text(stateKey, { step: stepName(ctx, step.key) }))];
    const saving = decideChecklistSave(completion(ctx, view, step));
    if (!saving.allowed && saving.refusal === "receiver") {
      const text = ctx.text("case.checklist_receiver", { step: stepName(ctx, step.key) });
      return [say(ctx, text, { tone: "warning" })];
    }
    const known = Object.keys(step.checklist ?? {});
    const done = formList(ctx.event, "done");
    // Items the card no longer has (an old card) are left out; no list sent means no change.
    const checklist = done === undefined ? {} : Object.fromEntries(known.map((k) => [k, done.includes(k)]));
    const result = await ctx.ports.cases.saveChecklist({
      caseId: view.id,
      stepKey: step.key,
      actor: ctx.person.principal,
      checklist,
    });
    const saved = result.case.steps.find((s) => s.key === step.key) ?? step;
    const ticks = Object.values(saved.checklist ?? {});
    const note = ctx.text("bot.handover.saved", {
      done: ticks.filter(Boolean).length,
      total: ticks.length,
    });
    return [show(ctx, await handoverCard(ctx, result.case, saved, note))];
  });
}

/** `handover.complete`: the owner completes the handover; the named receiver confirms receipt. */
export function completeHandover(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const view = await ctx.ports.cases.getCase(caseIdOf(value));
    const step = handoverStep(view);
    const known = Object.keys(step.checklist ?? {});
    const done = formList(ctx.event, "done");
    const data =
      done === undefined ? {} : { checklist: Object.fromEntries(known.map((k) => [k, done.includes(k)])) };
    const result = await ctx.ports.cases.completeStep({
      caseId: view.id,
      stepKey: step.key,
      actor: ctx.person.principal,
      data,
    });
    const name = await nameOf(ctx, view.employeeExternalId);
    const received = result.capacity === "receiver";
    return [
      show(
        ctx,
        doneCard(ctx.cards, {
          title: ctx.text(received ? "bot.handover.received_title" : "bot.handover.done_title"),
          body: ctx.text(received ? "bot.handover.received" : "bot.handover.done", { name }),
          caseId: view.id,
        }),
      ),
    ];
  });
}

/** `settlement.complete`: finance marks the settlement done. */
export function completeSettlement(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const view = await ctx.ports.cases.getCase(caseIdOf(value));
    const step = stepFor(view, "settlement");
    await ctx.ports.cases.completeStep({ caseId: view.id, stepKey: step.key, actor: ctx.person.principal });
    const name = await nameOf(ctx, view.employeeExternalId);
    return [
      show(
        ctx,
        doneCard(ctx.cards, {
          title: ctx.text("bot.settlement.done_title"),
          body: ctx.text("bot.settlement.done", { name }),
          caseId: view.id,
        }),
      ),
    ];
  });
}

/** `/baton handover [case]`: the handover checklists the person may act on now. */
export function handoverCommand(ctx: BotContext, caseRef: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const views = caseRef
      ? [await ctx.ports.cases.getCase(caseIdOf(caseRef))]
      : await ctx.ports.cases.involving(ctx.person.principal, 20);
    const replies: Reply[] = [];
    for (const view of views) {
      const step = view.steps.find((s) => stepKind(view, s.key) === "handover");
      if (!step) continue;
      if (step.status !== "active" || access(ctx, view, step) !== "act") continue;
      replies.push(show(ctx, await handoverCard(ctx, view, step)));
      if (replies.length === 5) break;
    }
    if (replies.length === 0) {
      if (caseRef && views[0] && !mayRead(ctx, views[0])) return [tell(ctx.event, notAllowed({}, ctx.cards))];
      return [say(ctx, ctx.text("bot.handover.none"))];
    }
    return replies;
  });
}

export type CaseFilter = "open" | "overdue" | "all";

/** Cases shown in HR's list; the rest is counted. */
export const casesShown = 15;

function currentStep(view: CaseView): StepView | undefined {
  return view.steps.find((s) => s.status === "active");
}

function isOverdue(view: CaseView, today: IsoDate): boolean {
  return view.steps.some((s) => s.status === "active" && compareDates(s.dueDate, today) < 0);
}

const caseListTitles: Record<CaseFilter, MessageKey> = {
  open: "bot.cases.title_open",
  overdue: "bot.cases.title_overdue",
  all: "bot.cases.title_all",
};

/**
 * `/baton cases [open|overdue|all]`: HR (the HR console has the rest) and finance, who read every
 * case and reach the settlement from here when no finance channel is bound (as in the web chat).
 */
export function listCases(ctx: BotContext, filter: CaseFilter): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const { functions } = ctx.person;
    if (!functions.includes("hr") && !functions.includes("finance")) {
      return [tell(ctx.event, notAllowed({}, ctx.cards))];
    }
    const refused = refusePrivileged(ctx);
    if (refused) return [refused];
    const today = ctx.today();
    const all = await ctx.ports.cases.list({ status: filter === "all" ? "all" : "active", limit: 200 });
    const views = filter === "overdue" ? all.filter((v) => isOverdue(v, today)) : all;
    const shown = views.slice(0, casesShown);
    const names = await ctx.ports.people.names(shown.map((v) => v.employeeExternalId));
    const lines = shown.map((view) => {
      const step = currentStep(view);
      return {
        caseId: view.id,
        label: `${names[view.employeeExternalId] ?? view.employeeExternalId} (${view.employeeExternalId})`,
        value: ctx.text(isOverdue(view, today) ? "bot.cases.line_overdue" : "bot.cases.line", {
          plannedLastDay: view.plannedLastDay,
          step: step ? stepName(ctx, step.key) : ctx.text(`bot.cases.status_${statusKey(view)}`),
        }),
      };
    });
    const hidden = views.length - shown.length;
    return [
      show(
        ctx,
        caseListCard(ctx.cards, {
          title: ctx.text(caseListTitles[filter], { count: views.length }),
          empty: ctx.text("bot.cases.empty"),
          ...(hidden > 0 ? { more: ctx.text("bot.cases.more", { count: hidden }) } : {}),
          lines,
          buttons: 5,
        }),
      ),
    ];
  });
}

function statusKey(view: CaseView): "open" | "on_hold" | "closed" | "withdrawn" {
  return view.status === "on-hold" ? "on_hold" : view.status;
}
