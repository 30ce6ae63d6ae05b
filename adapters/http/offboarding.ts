import type { OffboardingDeps } from "../../db/offboarding/index.ts";
import type { Services } from "./services.ts";

/**
 * The offboarding engine's dependencies from the services. The gates are read when used: the
 * registry completes `services.gates` while it builds the tick jobs that need them.
 */
export function offboardingDepsOf(
  services: Pick<Services, "database" | "clock" | "logger" | "chainWriter"> &
    Partial<Pick<Services, "gates">>,
): OffboardingDeps {
  return {
    database: services.database,
    clock: services.clock,
    logger: services.logger,
    chainWriter: services.chainWriter,
    get gates() {
      return services.gates ?? [];
    },
  };
}
