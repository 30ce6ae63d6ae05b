/** Agreements in chat: the request card, and signing with the typed full name (the core's sign command). */

import { agreementToSign, signatureReceipt } from "../../cards/templates/agreements.ts";
import { AppError } from "../../core/errors.ts";
import { type BotContext, formText, guarded, say, show } from "../context.ts";
import type { Reply } from "../reply.ts";

const requestIdPattern = /^[A-Za-z0-9-]{1,64}$/;

function requestIdOf(value: string | undefined): string {
  const id = value ?? "";
  if (!requestIdPattern.test(id)) {
    throw new AppError("not_found", "There is no such signature request.", {
      messageKey: "agreement.request_not_found",
    });
  }
  return id;
}

/** `agreement.open`: the request's card (the person's own, unsigned). */
export function openAgreement(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const data = await ctx.ports.agreements.toSign({
      principal: ctx.person.principal,
      requestId: requestIdOf(value),
      locale: ctx.locale,
    });
    return [show(ctx, agreementToSign(data, ctx.cards))];
  });
}

/** `/baton sign [agreement]`: the first agreement waiting for the person's signature. */
export function signCommand(ctx: BotContext, agreementId: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const pending = await ctx.ports.agreements.pending(ctx.person.principal);
    const wanted = agreementId ? pending.filter((p) => p.agreementId === agreementId) : pending;
    const first = wanted[0];
    if (!first) return [say(ctx, ctx.text("bot.sign.none"))];
    const data = await ctx.ports.agreements.toSign({
      principal: ctx.person.principal,
      requestId: first.requestId,
      locale: ctx.locale,
    });
    return [show(ctx, agreementToSign(data, ctx.cards))];
  });
}

/** `agreement.sign`: signs with the typed name; the receipt replaces the request card. */
export function signAgreement(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const { event } = ctx;
    const requestId = requestIdOf(value);
    const typedName = formText(event, "fullName")?.trim() ?? "";
    if (typedName.length === 0) return [say(ctx, ctx.text("bot.sign.name_required"), { tone: "warning" })];
    const receipt = await ctx.ports.agreements.sign({
      principal: ctx.person.principal,
      requestId,
      typedName: typedName.slice(0, 200),
      surface: event.surface,
      ...(event.surface !== "web" ? { platformUserId: event.who.userId } : {}),
      ...(event.who.tenant ? { platformTenantId: event.who.tenant } : {}),
      ...(event.proof ? { proof: event.proof } : {}),
      locale: ctx.locale,
    });
    return [show(ctx, signatureReceipt(receipt, ctx.cards))];
  });
}
