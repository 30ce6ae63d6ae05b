import { type CertificateFacts, certificateContent, contentHash } from "../../../core/certificate/content.ts";
import { type CertificateDocument, certificateDocument } from "../../../core/certificate/document.ts";

/** Fixed, fictitious facts for the rendering tests and the golden image (nothing here is real). */
export const sampleFacts: CertificateFacts = {
  entity: { id: "demo-sh", name: "百通示范（上海）科技有限公司 Baton Demo (Shanghai) Co., Ltd." },
  employee: {
    externalId: "E2001",
    name: "林一",
    idNumber: "310101199001011234",
    position: "高级工程师 Senior Engineer",
    contractType: "fixed",
    contractStartDate: "2024-03-01",
    contractEndDate: "2027-02-28",
    serviceStartDate: "2023-09-15",
    hireDate: "2024-03-01",
  },
  separationType: "resignation",
  terminationDate: "2026-03-31",
  issueDate: "2026-03-31",
};

export const sampleRecord = {
  certificateId: "7d1f0c3e-5a2b-4c8d-9e6f-0a1b2c3d4e5f",
  version: 1,
  verifyUrl: "https://baton.example.com/verify/Qm9vay1jZXJ0aWZpY2F0ZQ",
};

export const sampleIssuedAt = new Date("2026-03-31T02:00:00Z");

export async function sampleDocument(): Promise<CertificateDocument> {
  const content = certificateContent(sampleFacts);
  return certificateDocument(content, { ...sampleRecord, contentHash: await contentHash(content) });
}
