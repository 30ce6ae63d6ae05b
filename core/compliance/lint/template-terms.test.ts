import { describe, expect, it } from "vitest";
import { type Template, templateSchema } from "../../offboarding/template.ts";
import { cnStandard, templates } from "../../offboarding/templates.ts";
import { lint } from "../linter.ts";
import { termsOfTemplate } from "./template-terms.ts";

describe("the shipped offboarding templates pass the linter", () => {
  it.each(templates.map((t) => [t.id, t] as const))("%s has no findings", (_id, template) => {
    expect(lint({ terms: termsOfTemplate(template) }).findings).toEqual([]);
  });

  it("maps the certificate step's wait on settlement to a gate on the certificate that lifts in time", () => {
    const terms = termsOfTemplate(cnStandard);
    expect(terms.gates).toContainEqual({
      target: "certificate",
      waitsFor: ["settlement"],
      until: "legal-date",
    });
    expect(terms.processingDelays).toEqual([{ what: "transfer", days: 15 }]);
  });

  it("would catch a certificate step that waits for settlement with no latest start (LCL Art. 50)", () => {
    const hard = structuredClone(cnStandard) as Template;
    const procedures = hard.steps.find((s) => s.issuesCertificate);
    if (!procedures) throw new Error("no certificate step");
    // The template schema refuses this; the linter must refuse it too, should the schema ever change.
    (procedures.start as { atLatest?: string }).atLatest = undefined;
    expect(templateSchema.safeParse(hard).success).toBe(false);
    const findings = lint({ terms: termsOfTemplate(hard) }).findings;
    expect(findings.map((f) => [f.code, f.article])).toEqual([["gate.certificate", "law.lcl_art50"]]);
  });
});
