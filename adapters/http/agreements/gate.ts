import { dateInTimeZone } from "../../../core/compliance/dates.ts";
import type { CheckGate, GateInput, GateOutcome } from "../../../core/offboarding/gates.ts";
import {
  employeeByExternalId,
  ensureSignatureRequest,
  hasSigned,
  requestsOfEmployee,
} from "../../../db/agreements/requests.ts";
import type { Db } from "../../../db/client.ts";
import { enqueueNotification } from "../../../db/outbox.ts";
import { currentVersionsForRole } from "../../../db/repositories/agreements.ts";
import type { Services } from "../services.ts";

/**
 * The `agreement` gate of the offboarding check step: has the leaver signed the current version
 * of every agreement their role requires? `request` asks for what is missing (a new request, sent
 * to the person) and nudges an open one once per case. Like every gate, it never moves the last
 * day or the certificate.
 */
export function agreementGate(services: Pick<Services, "database" | "clock" | "chainWriter">): CheckGate {
  const db = () => services.database.db;
  return {
    name: "agreement",
    async evaluate(input: GateInput): Promise<GateOutcome> {
      const employee = await employeeByExternalId(db(), input.employeeExternalId);
      const required = employee ? await currentVersionsForRole(db(), input.role ?? employee.role) : [];
      const items = [];
      for (const version of required) {
        const signed = employee
          ? await hasSigned(db(), employee.id, version.agreementId, version.version)
          : false;
        items.push({
          id: `${version.agreementId}@${version.version}`,
          title: version.title.en,
          satisfied: signed,
        });
      }
      return { gate: "agreement", satisfied: items.every((i) => i.satisfied), items };
    },
    async request(input: GateInput): Promise<void> {
      const employee = await employeeByExternalId(db(), input.employeeExternalId);
      if (employee?.status !== "active") return;
      const required = await currentVersionsForRole(db(), input.role ?? employee.role);
      if (required.length === 0) return;
      await services.database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const existing = await requestsOfEmployee(tx, employee.id);
        for (const version of required) {
          const key = `${version.agreementId}@${version.version}`;
          const open = existing.get(key);
          if (open?.status === "signed") continue;
          if (!open) {
            await ensureSignatureRequest(tx, {
              employee,
              version,
              reason: "offboarding",
              caseId: input.caseId,
              actor: "system:baton",
              now: input.at,
            });
            continue;
          }
          await enqueueNotification(
            tx,
            {
              kind: "agreement.signature.reminder",
              recipient: { type: "person", principal: `employee:${employee.externalId}` },
              data: {
                requestId: open.id,
                agreementId: open.agreementId,
                version: open.version,
                title: version.title,
                hash: version.hash,
                dueDate: open.dueDate,
                reminder: "offboarding-check",
                caseId: input.caseId,
                today: dateInTimeZone(input.at, employee.timeZone),
              },
              dedupeKey: `agreement-nudge:${open.id}:${input.caseId}`,
            },
            input.at,
          );
        }
      });
      services.chainWriter.wake();
    },
  };
}
