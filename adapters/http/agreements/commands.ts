import type { SignAgreement } from "../../../core/agreements/signing.ts";
import { signAgreement } from "../../../db/agreements/signing.ts";
import type { Services } from "../services.ts";

/**
 * The agreement commands chat surfaces use (through the bot layer, with the person their
 * platform verified). Each is one transaction; the chain writer and the dispatcher are woken
 * after it commits so the evidence is chained and the employee's copy goes out at once.
 */
export function agreementCommands(
  services: Pick<Services, "database" | "signer" | "clock" | "chainWriter" | "dispatcher">,
): { sign: SignAgreement } {
  return {
    async sign(input) {
      const result = await signAgreement(
        services.database,
        { signer: services.signer, now: services.clock.now() },
        input,
      );
      services.chainWriter.wake();
      services.dispatcher.wake();
      return result;
    },
  };
}
