/**
 * The resignation notice (DESIGN §6): an explicit form worded as a notice, accepted only in a 1:1
 * chat, answered with a receipt. The form's state lives in the conversation store; the notice
 * itself is the core's giveNotice.
 */

import type { CardNode } from "../../cards/model.ts";
import { myChecklist, noticeReceipt, resignationNoticeForm } from "../../cards/templates/offboarding.ts";
import { dateInTimeZone, type IsoDate } from "../../core/compliance/dates.ts";
import { noticePeriodDays } from "../../core/compliance/legal-clock.ts";
import type { CaseView } from "../../core/offboarding/case.ts";
import { messageCard } from "../cards.ts";
import { type BotContext, formText, guarded, say, show, tell } from "../context.ts";
import {
  mayGiveNotice,
  type NoticeForm,
  noticeLastDay,
  noticeRefusalKey,
  noticeTransition,
  openNoticeForm,
  parseConversation,
  type Rejection,
} from "../conversation.ts";
import { formatInstant } from "../format.ts";
import type { ConversationKey } from "../ports.ts";
import type { Reply } from "../reply.ts";
import { checklistData } from "./cases.ts";

/** How long an unsent notice form is kept. */
export const noticeFormTtlSeconds = 24 * 3600;

function formKey(ctx: BotContext): ConversationKey {
  return {
    surface: ctx.event.surface,
    chatId: ctx.event.where.chatId,
    principal: ctx.person.principal,
    kind: "notice",
  };
}

function inProbation(ctx: BotContext, today: IsoDate): boolean {
  const end = ctx.person.probationEndDate;
  return end !== null && today <= end;
}

function refuseInGroup(ctx: BotContext): Reply {
  return tell(
    ctx.event,
    messageCard(ctx.cards, {
      title: ctx.text("bot.notice.private_title"),
      body: ctx.text(noticeRefusalKey),
      tone: "warning",
    }),
  );
}

function rejected(ctx: BotContext, rejection: Rejection): Reply {
  return say(ctx, ctx.text(rejection.key, rejection.params), {
    title: ctx.text("bot.error.title"),
    tone: "warning",
  });
}

function alreadyGiven(ctx: BotContext, running: CaseView): Reply[] {
  return [
    say(
      ctx,
      ctx.text("bot.notice.already_given", {
        noticeDate: running.noticeDate,
        plannedLastDay: running.plannedLastDay,
      }),
    ),
    show(ctx, myChecklist(checklistData(running, ctx.today()), ctx.cards)),
  ];
}

function formCard(ctx: BotContext, form: NoticeForm): CardNode {
  const card = resignationNoticeForm(
    {
      employeeName: ctx.person.name,
      noticeDate: form.noticeDate,
      legalLastDay: form.legalLastDay,
      noticeDays: form.probation ? noticePeriodDays.probation : noticePeriodDays.regular,
    },
    ctx.cards,
  );
  const wanted = form.requestedLastDay;
  if (wanted === null) return card;
  return {
    ...card,
    children: card.children.map((node) =>
      node.type === "date-input" && node.id === "lastDay" ? { ...node, initial: wanted } : node,
    ),
  };
}

/** `/baton resign [day]`, "我要离职": the notice form, in a 1:1 chat only. */
export function openNotice(ctx: BotContext, requestedLastDay?: IsoDate): Promise<Reply[]> {
  return guarded(ctx, async () => {
    if (!mayGiveNotice(ctx.event.where)) return [refuseInGroup(ctx)];
    const running = await ctx.ports.cases.activeCaseOf(ctx.person.externalId);
    if (running) return alreadyGiven(ctx, running);
    const today = ctx.today();
    let form = openNoticeForm({ today, probation: inProbation(ctx, today) });
    if (requestedLastDay !== undefined) {
      const set = noticeTransition(form, { type: "setLastDay", date: requestedLastDay });
      if (!set.ok) return [rejected(ctx, set.rejection)];
      form = set.state;
    }
    await ctx.ports.conversations.save(formKey(ctx), form, noticeFormTtlSeconds);
    return [show(ctx, formCard(ctx, form))];
  });
}

/** The exact text the employee confirmed: the notice wording, the last day, the reason, the warning. */
export function noticeText(ctx: BotContext, lastDay: IsoDate, reason: string | undefined): string {
  const lines = [
    ctx.text("card.notice_form.body", { name: ctx.person.name }),
    `${ctx.text("card.notice_form.last_day")}: ${lastDay}`,
  ];
  if (reason) lines.push(`${ctx.text("card.notice_form.reason")}: ${reason}`);
  lines.push(ctx.text("card.notice_form.warning"));
  return lines.join("\n");
}

/** `notice.submit`: the form's last day and reason; the notice arrives now. */
export function submitNotice(ctx: BotContext): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const { event } = ctx;
    if (!mayGiveNotice(event.where)) return [refuseInGroup(ctx)];
    const key = formKey(ctx);
    // The day the notice arrives, in the employee's time zone (as the core counts it).
    const arrived = dateInTimeZone(event.receivedAt, ctx.person.timeZone);
    const stored = parseConversation(await ctx.ports.conversations.load(key));
    let form: NoticeForm =
      stored?.kind === "notice" && (stored.step === "collecting" || stored.step === "confirming")
        ? stored
        : openNoticeForm({ today: arrived, probation: inProbation(ctx, arrived) });
    if (form.step === "confirming") {
      const back = noticeTransition(form, { type: "edit" });
      if (back.ok) form = back.state;
    }
    const lastDay = formText(event, "lastDay")?.trim();
    const set = noticeTransition(form, { type: "setLastDay", date: lastDay ? lastDay : null });
    if (!set.ok) return [rejected(ctx, set.rejection)];
    const review = noticeTransition(set.state, { type: "review" });
    if (!review.ok) return [rejected(ctx, review.rejection)];
    const confirmed = noticeTransition(review.state, { type: "confirm", on: arrived });
    if (!confirmed.ok) return [rejected(ctx, confirmed.rejection)];
    const submitted = confirmed.state;
    const reason = formText(event, "reason")?.trim().slice(0, 2000);
    const receipt = await ctx.ports.cases.giveNotice({
      employeeExternalId: ctx.person.externalId,
      text: noticeText(ctx, noticeLastDay(submitted), reason),
      receivedAt: event.receivedAt,
      channel: event.surface,
      requestedLastDay: submitted.requestedLastDay,
      idempotencyKey: event.idempotencyKey,
    });
    await ctx.ports.conversations.clear(key);
    return [
      show(
        ctx,
        noticeReceipt(
          {
            caseId: receipt.caseId,
            employeeName: ctx.person.name,
            noticeDate: receipt.noticeDate,
            receivedAt: formatInstant(receipt.receivedAt, ctx.person.timeZone),
            legalLastDay: receipt.legalLastDay ?? "",
            plannedLastDay: receipt.plannedLastDay,
            textSha256: receipt.textHash,
          },
          ctx.cards,
        ),
      ),
    ];
  });
}
