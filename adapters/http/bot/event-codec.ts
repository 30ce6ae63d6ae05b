import { z } from "zod";
import { type InboundEvent, surfaceNames } from "../../../bots/events.ts";

/**
 * A chat event as the inbox stores it (JSON: the time as RFC 3339) and back, checked: a stored
 * event that does not read back is a permanent failure, never a crash.
 */

const short = z.string().max(512);
const who = z.object({
  userId: short,
  principal: short.optional(),
  tenant: short.optional(),
  external: z.boolean().optional(),
  displayName: short.optional(),
});
const where = z.object({
  chatId: short,
  chatType: z.enum(["direct", "group"]),
  external: z.boolean().optional(),
});
const proof = z.object({
  requestSha256: short.optional(),
  signatureHeader: z.string().max(2048).optional(),
  ip: short.optional(),
  userAgent: short.optional(),
  sessionIdHash: short.optional(),
});
const base = {
  surface: z.enum(surfaceNames),
  idempotencyKey: short,
  who,
  where,
  receivedAt: z.iso.datetime({ offset: true }),
  locale: z.enum(["zh-CN", "en"]).optional(),
  proof: proof.optional(),
};
const formValue = z.union([z.string().max(20_000), z.array(z.string().max(2_000)).max(200)]);

const storedEvent = z.discriminatedUnion("type", [
  z.object({
    ...base,
    type: z.literal("message"),
    text: z.string().max(20_000),
    messageId: short.optional(),
  }),
  z.object({ ...base, type: z.literal("command"), text: z.string().max(20_000) }),
  z.object({
    ...base,
    type: z.literal("action"),
    action: short,
    value: short.optional(),
    form: z.record(z.string().max(200), formValue),
    sourceMessageId: short.optional(),
  }),
  z.object({ ...base, type: z.literal("search"), action: short, query: z.string().max(2_000) }),
]);

/** The event as JSON for the inbox. */
export function encodeEvent(event: InboundEvent): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...event, receivedAt: event.receivedAt.toISOString() })) as Record<
    string,
    unknown
  >;
}

/** A stored event back, or undefined when it is not one. */
export function decodeEvent(payload: unknown): InboundEvent | undefined {
  const parsed = storedEvent.safeParse(payload);
  if (!parsed.success) return undefined;
  const { receivedAt, ...rest } = parsed.data;
  return { ...rest, receivedAt: new Date(receivedAt) } as InboundEvent;
}
