import { settings } from "../schema/index.ts";
import { demoAgreement } from "./demo-agreement.ts";
import { demoCourses } from "./demo-courses.ts";
import { demoOrganisation } from "./demo-organisation.ts";
import type { SeedSet } from "./seed.ts";

/**
 * The demo data, in the order it is applied. Later work appends sets (the organisation, templates,
 * the demo agreement, courses) or bumps a version to add to one.
 */
export const demoSeeds: readonly SeedSet[] = [
  {
    name: "demo-welcome",
    version: "1",
    describe: "marks the installation as a demo and records when the demo data began",
    async run(tx) {
      await tx
        .insert(settings)
        .values({ key: "demo", value: { since: new Date().toISOString() } })
        .onConflictDoNothing();
    },
  },
  demoOrganisation,
  demoAgreement,
  demoCourses,
];
