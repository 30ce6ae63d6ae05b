import type { CheckGate } from "../../core/offboarding/gates.ts";
import type { TickJob } from "../../core/ports.ts";
import type { Services } from "./services.ts";

type Base = Omit<Services, "gates" | "tickJobs">;

/**
 * The gates of the offboarding check step. Each module that adds one appends it here (agreements
 * signed, training passed); with none, the check step passes with a note.
 */
export function checkGates(_services: Base): CheckGate[] {
  return [];
}

/** The jobs the scheduler's tick runs, in order. Each module that needs one appends it here. */
export function tickJobs(_services: Base): TickJob[] {
  return [];
}

/** Completes services with the gates and tick jobs, which themselves use the other services. */
export function withModules(base: Base): Services {
  const services = base as Services;
  services.gates = checkGates(base);
  services.tickJobs = tickJobs(base);
  return services;
}
