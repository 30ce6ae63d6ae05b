import type { CheckGate } from "../../../core/offboarding/gates.ts";
import type { TickJob } from "../../../core/ports.ts";
import { trainingGate } from "../../../db/training/gate.ts";
import { trainingTickJobs } from "../../../db/training/jobs.ts";
import type { LinkAction } from "../links/actions.ts";
import type { Services } from "../services.ts";
import { trainingLinkActions } from "./links.ts";

type Base = Pick<Services, "database" | "chainWriter" | "linkTokens" | "signer" | "config" | "clock">;

/** The training module's parts for the registry: the check-step gate, tick jobs and link pages. */
export function trainingCheckGate(services: Base): CheckGate {
  return trainingGate({ database: services.database, onEvidence: () => services.chainWriter.wake() });
}

export function trainingJobs(services: Base): TickJob[] {
  return trainingTickJobs({ database: services.database, onEvidence: () => services.chainWriter.wake() });
}

export function trainingLinks(services: Base): LinkAction[] {
  return trainingLinkActions(services);
}
