import { eq } from "drizzle-orm";
import { formatInstant } from "../../../bots/format.ts";
import type { AgreementPort } from "../../../bots/ports.ts";
import { listRequests } from "../../../db/agreements/requests.ts";
import type { Db } from "../../../db/client.ts";
import { employees } from "../../../db/schema/index.ts";
import { agreementCommands } from "../agreements/commands.ts";
import { issueSigningLinks } from "../agreements/links.ts";
import { openRequest } from "../agreements/sign-action.ts";
import type { ModuleServices } from "../services.ts";

/** How long the "read the full text" link on a signature card works. */
export const textLinkSeconds = 24 * 3600;

type Deps = Pick<
  ModuleServices,
  "database" | "signer" | "clock" | "chainWriter" | "dispatcher" | "linkTokens" | "config"
>;

/** Agreements for the bot, over `db` (the database, or the inbox worker's transaction). */
export function agreementPort(services: Deps, db: Db): AgreementPort {
  const database = { ...services.database, db };
  return {
    async pending(principal) {
      const externalId = principal.startsWith("employee:") ? principal.slice("employee:".length) : "";
      const [employee] = await db
        .select({ id: employees.id })
        .from(employees)
        .where(eq(employees.externalId, externalId));
      if (!employee) return [];
      const requests = await listRequests(db, { employeeId: employee.id, status: "pending" });
      return requests.map((r) => ({ requestId: r.id, agreementId: r.agreementId }));
    },

    async toSign({ principal, requestId, locale }) {
      const { request, version, hash } = await openRequest(db, principal, { requestId });
      const links = await issueSigningLinks(
        { database, linkTokens: services.linkTokens },
        request.id,
        textLinkSeconds,
      );
      return {
        requestId: request.id,
        title: version.title[locale],
        version: version.version,
        sha256: hash,
        dueDate: request.dueDate,
        textUrl: links.loginUrl,
      };
    },

    async sign(input) {
      const result = await agreementCommands({ ...services, database }).sign({
        requestId: input.requestId,
        typedName: input.typedName,
        signer: {
          principal: input.principal,
          surface: input.surface,
          ...(input.platformTenantId ? { platformTenantId: input.platformTenantId } : {}),
          ...(input.platformUserId ? { platformUserId: input.platformUserId } : {}),
          ...(input.proof?.requestSha256 ? { requestHash: input.proof.requestSha256 } : {}),
          ...(input.proof?.signatureHeader ? { signatureHeader: input.proof.signatureHeader } : {}),
          ...(input.proof?.ip ? { ip: input.proof.ip } : {}),
          ...(input.proof?.userAgent ? { userAgent: input.proof.userAgent } : {}),
          ...(input.proof?.sessionIdHash ? { sessionIdHash: input.proof.sessionIdHash } : {}),
        },
      });
      const { agreement } = result.record;
      return {
        title: agreement.title[input.locale],
        version: agreement.version,
        sha256: agreement.hash,
        signedAt: formatInstant(result.record.signedAt, services.config.BATON_TIMEZONE),
        verifyUrl: `${services.config.publicUrl}/verify/${result.verificationId}`,
      };
    },
  };
}
