import canonicalize from "canonicalize";
import { sha256Hex } from "../audit/chain.ts";
import { type IsoDate, isIsoDate } from "../compliance/dates.ts";
import { type ServiceLength, serviceLength } from "../compliance/severance.ts";
import type { SeparationType } from "../offboarding/separation.ts";

/**
 * The separation certificate (解除或者终止劳动合同的证明), Labor Contract Law Art. 50 para 1 and
 * Implementing Regulations Art. 24: it states the contract term, the date of termination, the
 * position and the years of service with this employer — and nothing else about the person. A
 * reason or an evaluation is a known source of disputes (law-calendar.md §1), so the content has no
 * field that could carry one: every printed word is either a fixed catalogue text or one of the
 * facts below.
 */

export type ContractType = "fixed" | "open-ended" | "task";

/** What the certificate is built from: the directory, the case and the issue date. */
export type CertificateFacts = {
  entity: { id: string; name: string } | null;
  employee: {
    externalId: string;
    name: string;
    idNumber: string | null;
    position: string | null;
    contractType: ContractType | null;
    contractStartDate: IsoDate | null;
    contractEndDate: IsoDate | null;
    serviceStartDate: IsoDate | null;
    hireDate: IsoDate | null;
  };
  separationType: SeparationType;
  /** The last day of employment (the case's plannedLastDay). */
  terminationDate: IsoDate | null;
  /** The issue date, in the entity's calendar. */
  issueDate: IsoDate;
};

/**
 * How the contract ended, worded neutrally: who ended it (or that it expired), never why. An Art. 38
 * resignation (employer at fault) reads like any resignation, and a dismissal names no ground.
 */
export type NeutralSeparation = "by-employee" | "by-agreement" | "expiry" | "by-employer";

export const neutralSeparationOf: Record<SeparationType, NeutralSeparation> = {
  resignation: "by-employee",
  "resignation-employer-fault": "by-employee",
  mutual: "by-agreement",
  expiry: "expiry",
  dismissal: "by-employer",
};

/** The certificate's content: what is printed and what the JWS's content hash covers. */
export type CertificateContent = {
  format: "baton-separation-certificate/1";
  entity: { id: string; name: string };
  employee: { externalId: string; name: string; idNumber: string };
  /** Regs Art. 24 (1): the contract term. */
  contractTerm: { type: ContractType; start: IsoDate; end: IsoDate | null };
  /** Regs Art. 24 (2): the date the contract was dissolved (解除) or ended (终止). */
  terminationDate: IsoDate;
  /** Regs Art. 24 (3): the position (工作岗位). */
  position: string;
  /** Regs Art. 24 (4): years of service with this employer, from `start` through the termination date. */
  service: { start: IsoDate; length: ServiceLength };
  separation: NeutralSeparation;
  issueDate: IsoDate;
};

export type FactProblem = { field: string; message: string };

/** What HR must enter before the certificate can be issued; each problem names the field to fill. */
export function certificateProblems(facts: CertificateFacts): FactProblem[] {
  const problems: FactProblem[] = [];
  const { employee } = facts;
  if (!facts.entity) {
    problems.push({ field: "entity", message: "assign the employee to an employing entity" });
  } else if (!facts.entity.name.trim()) {
    problems.push({ field: "entity.name", message: "enter the employing entity's name" });
  }
  if (!employee.name.trim()) problems.push({ field: "name", message: "enter the employee's name" });
  if (!employee.idNumber) {
    problems.push({ field: "idNumber", message: "enter the employee's ID number" });
  } else if (employee.idNumber === "erased") {
    problems.push({ field: "idNumber", message: "the employee's personal data was erased" });
  }
  if (!employee.position?.trim()) problems.push({ field: "position", message: "enter the position" });
  if (!employee.contractType) {
    problems.push({ field: "contractType", message: "enter the contract type (fixed, open-ended or task)" });
  }
  if (!isIsoDate(employee.contractStartDate)) {
    problems.push({ field: "contractStartDate", message: "enter the contract's start date" });
  }
  if (employee.contractType === "fixed" && !isIsoDate(employee.contractEndDate)) {
    problems.push({ field: "contractEndDate", message: "enter the fixed-term contract's end date" });
  }
  const serviceStart = employee.serviceStartDate ?? employee.hireDate;
  if (!isIsoDate(serviceStart)) {
    problems.push({ field: "serviceStartDate", message: "enter the service start date (or the hire date)" });
  }
  if (!isIsoDate(facts.terminationDate)) {
    problems.push({ field: "plannedLastDay", message: "the case has no last day yet" });
  } else if (isIsoDate(serviceStart) && serviceStart > facts.terminationDate) {
    problems.push({ field: "serviceStartDate", message: "must not be after the last day" });
  }
  return problems;
}

/** Builds the content; call only when `certificateProblems` found none (it throws otherwise). */
export function certificateContent(facts: CertificateFacts): CertificateContent {
  const problems = certificateProblems(facts);
  if (problems.length > 0) {
    throw new RangeError(`certificate facts incomplete: ${problems.map((p) => p.field).join(", ")}`);
  }
  const { employee } = facts;
  const entity = facts.entity as { id: string; name: string };
  const terminationDate = facts.terminationDate as IsoDate;
  const serviceStart = (employee.serviceStartDate ?? employee.hireDate) as IsoDate;
  const type = employee.contractType as ContractType;
  return {
    format: "baton-separation-certificate/1",
    entity: { id: entity.id, name: entity.name.trim() },
    employee: {
      externalId: employee.externalId,
      name: employee.name.trim(),
      idNumber: (employee.idNumber as string).trim(),
    },
    contractTerm: {
      type,
      start: employee.contractStartDate as IsoDate,
      end: type === "fixed" ? (employee.contractEndDate as IsoDate) : null,
    },
    terminationDate,
    position: (employee.position as string).trim(),
    service: { start: serviceStart, length: serviceLength(serviceStart, terminationDate) },
    separation: neutralSeparationOf[facts.separationType],
    issueDate: facts.issueDate,
  };
}

/** RFC 8785 canonical JSON of the content: the exact bytes the content hash is taken over. */
export function canonicalContent(content: CertificateContent): string {
  const text = canonicalize(content);
  if (text === undefined) throw new TypeError("the certificate content does not serialise to JSON");
  return text;
}

/** Lower-case hex SHA-256 of the canonical content (`printf '%s' "$JSON" | sha256sum`). */
export function contentHash(content: CertificateContent): Promise<string> {
  return sha256Hex(canonicalContent(content));
}
