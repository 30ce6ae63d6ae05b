import { z } from "zod";

/**
 * Offboarding templates are data: a list of steps, each with an owner, a rule for when it starts
 * and a rule for when it is due. The schema makes the legal clock impossible to gate: a step that
 * follows another starts when that one is done *or at the latest on its due date*
 * (`atLatest: "step-due"` is required), so no unfinished step — handover, training, settlement —
 * can hold back the certificate or the last day (DESIGN §1.1, LCL Art. 50).
 */

export const stepKeyPattern = /^[a-z][a-z0-9-]{0,31}$/;
const stepKey = z.string().regex(stepKeyPattern, { message: "a lower-case step key such as handover" });

/** Who owns a step; people are resolved when the case opens (the employee's manager, HR, …). */
export const ownerRoles = ["employee", "manager", "finance", "hr"] as const;
export type OwnerRole = (typeof ownerRoles)[number];

const startRule = z.discriminatedUnion("on", [
  /** When the case opens (the notice arrives). */
  z.object({ on: z.literal("notice") }).strict(),
  /** When `step` is done, or at the latest on `step`'s due date. */
  z.object({ on: z.literal("step-done"), step: stepKey, atLatest: z.literal("step-due") }).strict(),
  /** On the last day of employment (termination). */
  z.object({ on: z.literal("termination") }).strict(),
]);

const dueRule = z.discriminatedUnion("kind", [
  /**
   * The earlier of `afterStart` working days after the step starts and `beforeLastDay` working
   * days before the last day (0: the last day itself).
   */
  z
    .object({
      kind: z.literal("working-days"),
      afterStart: z.number().int().min(0).max(30),
      beforeLastDay: z.number().int().min(0).max(30),
    })
    .strict(),
  /** The last day of employment. */
  z.object({ kind: z.literal("last-day") }).strict(),
  /** Calendar days after termination, the start day not counted (Civil Code Art. 201). */
  z
    .object({ kind: z.literal("calendar-days-after-termination"), days: z.number().int().min(1).max(15) })
    .strict(),
]);

const checklistItem = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    /** Filled in by a connector (CRM accounts), not ticked by hand alone. */
    source: z.enum(["manual", "crm"]).default("manual"),
  })
  .strict();

export const stepTemplateSchema = z
  .object({
    key: stepKey,
    owner: z.enum(ownerRoles),
    start: startRule,
    due: dueRule,
    /** Whether a later step may start after this one. Acknowledge gates nothing. */
    gating: z.boolean(),
    /** Done when the case opens: the notice and its receipt. */
    doneAtOpening: z.boolean().default(false),
    /** The owner names the handover receiver here and cannot refuse. */
    namesReceiverFor: stepKey.optional(),
    /** A named receiver acts on this step beside its owner (handover). */
    withReceiver: z.boolean().default(false),
    /** The check step: reads the registered gates (agreements, training); none → passes with a note. */
    readsGates: z.boolean().default(false),
    /** This step issues the separation certificate (LCL Art. 50 para 1: at termination). */
    issuesCertificate: z.boolean().default(false),
    /** The statute that fixes this step's deadline; its reminders are legal alerts, never held back. */
    legalDeadline: z.string().min(3).max(120).optional(),
    checklist: z.array(checklistItem).max(50).default([]),
  })
  .strict();

export type StepTemplate = z.output<typeof stepTemplateSchema>;
export type StartRule = StepTemplate["start"];
export type DueRule = StepTemplate["due"];

export const templateSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    version: z.number().int().min(1),
    jurisdiction: z.string().regex(/^[A-Z]{2}$/),
    /** Which cases it serves: notices given in probation, or not. */
    probation: z.boolean(),
    steps: z.array(stepTemplateSchema).min(1).max(20),
  })
  .strict()
  .superRefine((template, ctx) => {
    const seen = new Map<string, StepTemplate>();
    template.steps.forEach((step, index) => {
      const at = (field: string) => ["steps", index, field];
      if (seen.has(step.key))
        ctx.addIssue({ code: "custom", path: at("key"), message: "duplicate step key" });
      if (step.start.on === "step-done") {
        const before = seen.get(step.start.step);
        if (!before) {
          ctx.addIssue({ code: "custom", path: at("start"), message: "must follow an earlier step" });
        } else if (!before.gating) {
          ctx.addIssue({
            code: "custom",
            path: at("start"),
            message: `${before.key} gates nothing; no step may wait for it`,
          });
        }
      }
      if ((step.start.on === "termination") !== (step.due.kind === "calendar-days-after-termination")) {
        ctx.addIssue({
          code: "custom",
          path: at("due"),
          message: "calendar days after termination go with a step that starts at termination",
        });
      }
      if (step.issuesCertificate && step.due.kind !== "last-day") {
        ctx.addIssue({
          code: "custom",
          path: at("due"),
          message: "the certificate is due on the last day (LCL Art. 50)",
        });
      }
      if (step.doneAtOpening && (index !== 0 || step.start.on !== "notice")) {
        ctx.addIssue({
          code: "custom",
          path: at("doneAtOpening"),
          message: "only the first step, at notice",
        });
      }
      seen.set(step.key, step);
    });
    template.steps.forEach((step, index) => {
      if (step.namesReceiverFor && !seen.get(step.namesReceiverFor)?.withReceiver) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "namesReceiverFor"],
          message: "must name a step that has a receiver",
        });
      }
    });
    if (template.steps.filter((s) => s.readsGates).length > 1) {
      ctx.addIssue({ code: "custom", path: ["steps"], message: "at most one step reads the gates" });
    }
  });

export type Template = z.output<typeof templateSchema>;

/** Validates template data (a constant, a file, an API body); throws a ZodError naming each problem. */
export function parseTemplate(data: unknown): Template {
  return templateSchema.parse(data);
}

export function stepOf(template: Template, key: string): StepTemplate | undefined {
  return template.steps.find((s) => s.key === key);
}
