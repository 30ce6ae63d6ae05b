import type { OffboardingCommands } from "../../core/offboarding/commands.ts";
import { saveChecklist } from "./checklist.ts";
import { completeStep } from "./complete.ts";
import type { OffboardingDeps } from "./engine.ts";
import { giveNotice, openCase } from "./open.ts";
import { activeCaseIdOf, loadCaseView, personByExternalId } from "./repository.ts";

export type { OffboardingDeps } from "./engine.ts";
export { progressCase } from "./engine.ts";
export { rehomeOpenSteps } from "./rehome.ts";
export { offboardingTickJob } from "./tick.ts";

/** The offboarding commands over a database: what the bots and the HTTP routes call. */
export function offboardingCommands(deps: OffboardingDeps): OffboardingCommands {
  return {
    giveNotice: (input) => giveNotice(deps, input),
    async openCase(input) {
      const { caseId, created } = await openCase(deps, { ...input, now: deps.clock.now() });
      return { case: await loadCaseView(deps.database.db, caseId), created };
    },
    completeStep: (input) => completeStep(deps, input),
    saveChecklist: (input) => saveChecklist(deps, input),
    getCase: (caseId) => loadCaseView(deps.database.db, caseId),
    async activeCaseOf(employeeExternalId) {
      const person = await personByExternalId(deps.database.db, employeeExternalId);
      const id = person ? await activeCaseIdOf(deps.database.db, person.id) : undefined;
      return id ? loadCaseView(deps.database.db, id) : undefined;
    },
  };
}
