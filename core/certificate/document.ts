import type { IsoDate } from "../compliance/dates.ts";
import type { ServiceLength } from "../compliance/severance.ts";
import { type MessageKey, translate } from "../messages/index.ts";
import type { CertificateContent, NeutralSeparation } from "./content.ts";

/** A text in the certificate's two languages: Chinese first (the legal text), English under it. */
export type Bilingual = { zh: string; en: string };

/** One line of the certificate: a label and a value, each in both languages. */
export type CertificateItem = {
  key:
    | "entity"
    | "name"
    | "idNumber"
    | "contractTerm"
    | "terminationDate"
    | "position"
    | "service"
    | "separation";
  label: Bilingual;
  value: Bilingual;
};

/** Everything the printed page says, in order; the renderer adds no words of its own. */
export type CertificateDocument = {
  title: Bilingual;
  subtitle: Bilingual;
  intro: Bilingual;
  items: CertificateItem[];
  closing: Bilingual;
  seal: { entityName: string; label: Bilingual; dateLabel: Bilingual; date: Bilingual };
  /** Where a reader checks the certificate, and which record it is. */
  footer: { verify: Bilingual; reference: Bilingual; hash: string };
};

export type CertificateRecordFacts = {
  certificateId: string;
  version: number;
  contentHash: string;
  /** The public verification page (BATON_PUBLIC_URL + /verify/<id>). */
  verifyUrl: string;
};

const both = (key: MessageKey, params: Record<string, string | number> = {}): Bilingual => ({
  zh: translate("zh-CN", key, params),
  en: translate("en", key, params),
});

const same = (text: string): Bilingual => ({ zh: text, en: text });

/** 2026年3月31日 / 31 March 2026, read as a calendar date (no time zone shift). */
export function formatCertificateDate(date: IsoDate): Bilingual {
  const instant = new Date(`${date}T00:00:00Z`);
  return {
    zh: new Intl.DateTimeFormat("zh-CN", { dateStyle: "long", timeZone: "UTC" }).format(instant),
    en: new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(instant),
  };
}

/** 3年2个月15天 / 3 years 2 months 15 days; zero parts are left out (at least one stays). */
export function formatServiceLength(length: ServiceLength): Bilingual {
  const parts: [number, MessageKey, MessageKey][] = [
    [length.fullYears, "certificate.service.year", "certificate.service.years"],
    [length.months, "certificate.service.month", "certificate.service.months"],
    [length.days, "certificate.service.day", "certificate.service.days"],
  ];
  const shown = parts.filter(([n]) => n > 0);
  const chosen = shown.length > 0 ? shown : parts.slice(2);
  const say = (locale: "zh-CN" | "en") =>
    chosen.map(([n, one, many]) => translate(locale, n === 1 ? one : many, { n }));
  return { zh: say("zh-CN").join(""), en: say("en").join(" ") };
}

function contractTerm(content: CertificateContent): Bilingual {
  const start = formatCertificateDate(content.contractTerm.start);
  const { type, end } = content.contractTerm;
  if (type === "fixed" && end) {
    const until = formatCertificateDate(end);
    return {
      zh: translate("zh-CN", "certificate.term.fixed", { start: start.zh, end: until.zh }),
      en: translate("en", "certificate.term.fixed", { start: start.en, end: until.en }),
    };
  }
  const key: MessageKey = type === "task" ? "certificate.term.task" : "certificate.term.open_ended";
  return { zh: translate("zh-CN", key, { start: start.zh }), en: translate("en", key, { start: start.en }) };
}

const separationKey: Record<NeutralSeparation, MessageKey> = {
  "by-employee": "certificate.separation.by_employee",
  "by-agreement": "certificate.separation.by_agreement",
  expiry: "certificate.separation.expiry",
  "by-employer": "certificate.separation.by_employer",
};

/** The printed certificate: catalogue texts around the content's facts, nothing else. */
export function certificateDocument(
  content: CertificateContent,
  record: CertificateRecordFacts,
): CertificateDocument {
  const items: CertificateItem[] = [
    { key: "entity", label: both("certificate.label.entity"), value: same(content.entity.name) },
    { key: "name", label: both("certificate.label.name"), value: same(content.employee.name) },
    { key: "idNumber", label: both("certificate.label.id_number"), value: same(content.employee.idNumber) },
    { key: "contractTerm", label: both("certificate.label.contract_term"), value: contractTerm(content) },
    {
      key: "terminationDate",
      label: both("certificate.label.termination_date"),
      value: formatCertificateDate(content.terminationDate),
    },
    { key: "position", label: both("certificate.label.position"), value: same(content.position) },
    {
      key: "service",
      label: both("certificate.label.service"),
      value: formatServiceLength(content.service.length),
    },
    {
      key: "separation",
      label: both("certificate.label.separation"),
      value: both(separationKey[content.separation]),
    },
  ];
  return {
    title: both("certificate.doc.title"),
    subtitle: both("certificate.doc.subtitle"),
    intro: both("certificate.doc.intro"),
    items,
    closing: both("certificate.doc.closing"),
    seal: {
      entityName: content.entity.name,
      label: both("certificate.doc.seal"),
      dateLabel: both("certificate.doc.date"),
      date: formatCertificateDate(content.issueDate),
    },
    footer: {
      verify: both("certificate.doc.verify", { url: record.verifyUrl }),
      reference: both("certificate.doc.reference", { id: record.certificateId, version: record.version }),
      hash: `SHA-256 ${record.contentHash}`,
    },
  };
}

/** Every text the page prints, in reading order: what the font must cover and what a test can compare. */
export function documentTexts(doc: CertificateDocument): string[] {
  return [
    doc.title.zh,
    doc.title.en,
    doc.subtitle.zh,
    doc.subtitle.en,
    doc.intro.zh,
    doc.intro.en,
    ...doc.items.flatMap((item) => [item.label.zh, item.label.en, item.value.zh, item.value.en]),
    doc.closing.zh,
    doc.closing.en,
    doc.seal.label.zh,
    doc.seal.label.en,
    doc.seal.entityName,
    doc.seal.dateLabel.zh,
    doc.seal.dateLabel.en,
    doc.seal.date.zh,
    doc.seal.date.en,
    doc.footer.verify.zh,
    doc.footer.verify.en,
    doc.footer.reference.zh,
    doc.footer.reference.en,
    doc.footer.hash,
  ];
}
