import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import { type CertificateDocument, documentTexts } from "../../../core/certificate/document.ts";
import { subsetFontFor } from "./font.ts";

/** What goes into the PDF's document information; fixed inputs give the same bytes every time. */
export type PdfMetadata = {
  /** The issue time: the PDF's creation and modification date. */
  issuedAt: Date;
  /** e.g. `certificate 0b6f… version 1`: ids only, no personal data. */
  subject: string;
  /** The employing entity, as the document's author. */
  author: string;
};

// A4 in points, and the page grid.
const pageWidth = 595.28;
const pageHeight = 841.89;
const margin = 64;
const contentWidth = pageWidth - 2 * margin;
const labelWidth = 150;
const valueX = margin + labelWidth + 12;
const valueWidth = pageWidth - margin - valueX;

const ink = rgb(0.08, 0.09, 0.12);
const muted = rgb(0.36, 0.39, 0.45);
const rule = rgb(0.78, 0.8, 0.84);

const cjk = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

/** Breaks text into lines that fit `width`: Chinese may break between any two characters, other text at spaces. */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
  const tokens =
    text.match(
      /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+/gu,
    ) ?? [];
  const lines: string[] = [];
  let line = "";
  for (const token of tokens) {
    const candidate = line + token;
    if (line !== "" && font.widthOfTextAtSize(candidate.trimEnd(), size) > width) {
      lines.push(line.trimEnd());
      line = token.trimStart();
    } else {
      line = candidate;
    }
    // A single token wider than the line (a long URL or hash) is cut by characters.
    while (font.widthOfTextAtSize(line.trimEnd(), size) > width && line.length > 1 && !cjk.test(line)) {
      let cut = line.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line.trim() !== "") lines.push(line.trimEnd());
  return lines.length > 0 ? lines : [""];
}

type Style = { size: number; color: ReturnType<typeof rgb>; leading: number };
const styles = {
  title: { size: 24, color: ink, leading: 30 },
  titleEn: { size: 13, color: ink, leading: 18 },
  subtitle: { size: 10.5, color: muted, leading: 14 },
  subtitleEn: { size: 8.5, color: muted, leading: 12 },
  body: { size: 11, color: ink, leading: 16 },
  bodyEn: { size: 8.5, color: muted, leading: 12 },
  footer: { size: 7.5, color: muted, leading: 10 },
} satisfies Record<string, Style>;

const top = pageHeight - 66;
/** Nothing but the footer goes below this line. */
const footerTop = 86;

class Writer {
  y = top;
  constructor(
    public page: PDFPage,
    readonly font: PDFFont,
  ) {}

  height(text: string, style: Style, width = contentWidth): number {
    return wrapText(text, this.font, style.size, width).length * style.leading;
  }

  /** Draws wrapped text from `x` within `width`, moving the cursor down; returns the height used. */
  text(
    text: string,
    style: Style,
    x = margin,
    width = contentWidth,
    align: "left" | "center" = "left",
  ): number {
    const lines = wrapText(text, this.font, style.size, width);
    for (const line of lines) {
      const offset = align === "center" ? (width - this.font.widthOfTextAtSize(line, style.size)) / 2 : 0;
      this.page.drawText(line, {
        x: x + offset,
        y: this.y - style.size,
        size: style.size,
        font: this.font,
        color: style.color,
      });
      this.y -= style.leading;
    }
    return lines.length * style.leading;
  }

  gap(points: number): void {
    this.y -= points;
  }

  rule(x1 = margin, x2 = pageWidth - margin): void {
    this.page.drawLine({
      start: { x: x1, y: this.y },
      end: { x: x2, y: this.y },
      thickness: 0.6,
      color: rule,
    });
  }
}

/**
 * Renders the certificate on one A4 page: Chinese first and English under each line, the eight
 * items as a two-column table, and room at the bottom right for the company seal over the
 * employer's name and the date. The footer prints the verification address.
 */
export async function renderCertificatePdf(doc: CertificateDocument, meta: PdfMetadata): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  // pdf-lib names resources with Math.random(); numbering them instead makes the bytes reproducible.
  let counter = 0;
  pdf.context.addRandomSuffix = (prefix: string) => `${prefix}-${++counter}`;
  pdf.registerFontkit(fontkit);
  // The texts, plus the punctuation the layout itself joins them with.
  const fontBytes = await subsetFontFor(`${documentTexts(doc).join("\n")}：·`);
  const font = await pdf.embedFont(fontBytes, { subset: false, customName: "NotoSansSC-Regular" });
  const page = pdf.addPage([pageWidth, pageHeight]);
  const w = new Writer(page, font);

  w.text(doc.title.zh, styles.title, margin, contentWidth, "center");
  w.text(doc.title.en, styles.titleEn, margin, contentWidth, "center");
  w.gap(4);
  w.text(doc.subtitle.zh, styles.subtitle, margin, contentWidth, "center");
  w.text(doc.subtitle.en, styles.subtitleEn, margin, contentWidth, "center");
  w.gap(20);

  w.text(doc.intro.zh, styles.body);
  w.text(doc.intro.en, styles.bodyEn);
  w.gap(12);

  w.rule();
  for (const item of doc.items) {
    w.gap(7);
    const top = w.y;
    const labelHeight =
      w.text(item.label.zh, styles.body, margin, labelWidth) +
      w.text(item.label.en, styles.bodyEn, margin, labelWidth);
    const afterLabel = w.y;
    w.y = top;
    w.text(item.value.zh, styles.body, valueX, valueWidth);
    if (item.value.en !== item.value.zh) w.text(item.value.en, styles.bodyEn, valueX, valueWidth);
    w.y = Math.min(w.y, afterLabel, top - labelHeight);
    w.gap(4);
    w.rule();
  }
  w.gap(14);
  w.text(doc.closing.zh, styles.body);
  w.text(doc.closing.en, styles.bodyEn);

  // The seal block: the company seal (about 42 mm) is stamped over the employer's name and date.
  // A very long name or position can push it off the page; then it goes on a second page.
  const sealX = pageWidth - margin - 230;
  const sealWidth = 230;
  const sealHeight =
    w.height(doc.seal.label.zh, styles.body, sealWidth) +
    w.height(doc.seal.label.en, styles.bodyEn, sealWidth) +
    w.height(doc.seal.entityName, styles.body, sealWidth) +
    2 * styles.body.leading +
    styles.bodyEn.leading +
    16;
  if (w.y - 36 - sealHeight < footerTop + 24) {
    w.page = pdf.addPage([pageWidth, pageHeight]);
    w.y = top - 60;
  }
  w.y = Math.min(w.y - 36, 230);
  w.text(doc.seal.label.zh, styles.body, sealX, sealWidth);
  w.text(doc.seal.label.en, styles.bodyEn, sealX, sealWidth);
  w.gap(6);
  w.text(doc.seal.entityName, styles.body, sealX, sealWidth);
  w.gap(10);
  w.text(`${doc.seal.dateLabel.zh}：${doc.seal.date.zh}`, styles.body, sealX, sealWidth);
  w.text(`${doc.seal.dateLabel.en}: ${doc.seal.date.en}`, styles.bodyEn, sealX, sealWidth);

  for (const each of pdf.getPages()) {
    w.page = each;
    w.y = footerTop;
    w.rule();
    w.gap(5);
    w.text(doc.footer.verify.zh, styles.footer);
    w.text(doc.footer.verify.en, styles.footer);
    w.text(doc.footer.reference.zh, styles.footer);
    w.text(doc.footer.reference.en, styles.footer);
    w.text(doc.footer.hash, styles.footer);
  }

  pdf.setTitle(`${doc.title.zh} ${doc.title.en}`);
  pdf.setAuthor(meta.author);
  pdf.setSubject(meta.subject);
  pdf.setCreator("Baton");
  pdf.setProducer("Baton (pdf-lib)");
  pdf.setLanguage("zh-CN");
  pdf.setCreationDate(meta.issuedAt);
  pdf.setModificationDate(meta.issuedAt);
  return pdf.save();
}
