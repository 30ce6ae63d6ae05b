import type { Template } from "../../offboarding/template.ts";
import type { Terms } from "./terms.ts";

/**
 * The structured terms an offboarding template implies, for the linter: each step that follows
 * another is a gate on it (the certificate step's gate is a gate on the certificate), lifted at
 * the latest on the earlier step's due date when the template says so; a step due after
 * termination is a processing delay of the transfer.
 */
export function termsOfTemplate(template: Template): Terms {
  const gates: NonNullable<Terms["gates"]> = [];
  const processingDelays: NonNullable<Terms["processingDelays"]> = [];
  for (const step of template.steps) {
    if (step.start.on === "step-done") {
      gates.push({
        target: step.issuesCertificate ? "certificate" : `step:${step.key}`,
        waitsFor: [step.start.step],
        ...(step.start.atLatest === "step-due" ? { until: "legal-date" as const } : {}),
      });
    }
    if (step.due.kind === "calendar-days-after-termination") {
      processingDelays.push({ what: "transfer", days: step.due.days });
    }
  }
  return {
    appliesTo: { probation: template.probation },
    gates,
    processingDelays,
  };
}
