import type { IsoDate } from "../compliance/dates.ts";
import type { CertificateContent } from "./content.ts";

export const certificateStatuses = ["issued", "revoked"] as const;
export type CertificateStatus = (typeof certificateStatuses)[number];

export const certificateDeliveryChannels = ["notification", "download"] as const;
export type CertificateDeliveryChannel = (typeof certificateDeliveryChannels)[number];

/** The JWS `typ` of a certificate signature. */
export const certificateJwsType = "baton-separation-certificate+jws";

/** The `sub` of a certificate's JWS and its verification page. */
export const certificateSubject = (certificateId: string) => `certificate:${certificateId}`;

/**
 * What Baton signs. Personal data stays out: the JWS is stored beside the public verification page
 * and outlives an erasure of the employee's data, so it carries ids, dates and the SHA-256 of the
 * canonical content — which binds the name, ID number and the rest without revealing them. Whoever
 * holds the content (HR, the employee) can recompute the hash and check it against the signature.
 */
export type CertificateJwsPayload = {
  sub: string;
  certificateId: string;
  caseId: string;
  version: number;
  entityId: string;
  terminationDate: IsoDate;
  issueDate: IsoDate;
  contentFormat: CertificateContent["format"];
  contentHash: string;
  /** The certificate this one corrects, if any. */
  replaces: string | null;
};

export function certificateJwsPayload(input: {
  certificateId: string;
  caseId: string;
  version: number;
  content: CertificateContent;
  contentHash: string;
  replaces: string | null;
}): CertificateJwsPayload {
  return {
    sub: certificateSubject(input.certificateId),
    certificateId: input.certificateId,
    caseId: input.caseId,
    version: input.version,
    entityId: input.content.entity.id,
    terminationDate: input.content.terminationDate,
    issueDate: input.content.issueDate,
    contentFormat: input.content.format,
    contentHash: input.contentHash,
    replaces: input.replaces,
  };
}
