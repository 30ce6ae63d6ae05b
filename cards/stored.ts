import { z } from "zod";
import { type CardNode, maxValueLength } from "./model.ts";

/**
 * A card tree read back from storage (an outbox row's data): checked against the model before a
 * renderer sees it, so a row that is not a card becomes "no card", never a renderer's exception.
 */

const text = z.string().max(10_000);
const label = z.string().max(500);
const id = z.string().min(1).max(100);
const action = z.string().min(1).max(maxValueLength);
const option = z.object({ label, value: z.string().max(maxValueLength) });
const confirmation = z.object({ title: label, text, confirm: label, deny: label });
const style = z.enum(["primary", "danger", "default"]);

const button = z.object({
  type: z.literal("button"),
  label,
  action,
  value: z.string().max(maxValueLength).optional(),
  style,
  confirm: confirmation.optional(),
});
const linkButton = z.object({ type: z.literal("link-button"), label, url: z.string().url().max(2000) });

const block = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text, markdown: z.boolean() }),
  z.object({ type: z.literal("fields"), fields: z.array(z.object({ label, value: text })).max(50) }),
  z.object({ type: z.literal("divider") }),
  z.object({ type: z.literal("actions"), elements: z.array(z.union([button, linkButton])).max(25) }),
  z.object({
    type: z.literal("text-input"),
    id,
    label,
    placeholder: label.optional(),
    multiline: z.boolean(),
    required: z.boolean(),
    initial: text.optional(),
  }),
  z.object({
    type: z.literal("choice-input"),
    id,
    label,
    options: z.array(option).max(100),
    multiple: z.boolean(),
    required: z.boolean(),
    initial: z.array(z.string().max(maxValueLength)).optional(),
  }),
  z.object({
    type: z.literal("date-input"),
    id,
    label,
    required: z.boolean(),
    initial: z.string().max(10).optional(),
    min: z.string().max(10).optional(),
  }),
  z.object({
    type: z.literal("person-input"),
    id,
    label,
    required: z.boolean(),
    multiple: z.boolean(),
    options: z.array(option).max(100),
    search: z.union([
      z.object({ mode: z.literal("local") }),
      z.object({ mode: z.literal("remote"), action }),
    ]),
  }),
  z.object({
    type: z.literal("submit"),
    label,
    action,
    value: z.string().max(maxValueLength).optional(),
    style,
    confirm: confirmation.optional(),
  }),
]);

const cardSchema = z.object({
  type: z.literal("card"),
  header: z.object({
    title: label,
    subtitle: label.optional(),
    tone: z.enum(["info", "success", "warning", "danger"]),
  }),
  children: z.array(block).max(100),
});

/** The stored value as a card, or undefined when it is not one. */
export function storedCard(value: unknown): CardNode | undefined {
  const parsed = cardSchema.safeParse(value);
  return parsed.success ? (parsed.data as CardNode) : undefined;
}
