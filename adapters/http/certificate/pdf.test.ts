import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { certificateContent, contentHash } from "../../../core/certificate/content.ts";
import { certificateDocument, documentTexts } from "../../../core/certificate/document.ts";
import { decodePng, differingPixelRatio } from "../../../test/helpers/png.ts";
import { sampleDocument, sampleFacts, sampleIssuedAt, sampleRecord } from "./fixture.ts";
import { renderCertificatePdf } from "./pdf.ts";

const golden = fileURLToPath(new URL("../../../test/golden/separation-certificate.png", import.meta.url));
const meta = {
  issuedAt: sampleIssuedAt,
  subject: `certificate ${sampleRecord.certificateId} version 1`,
  author: "demo-sh",
};

function tempFile(name: string, bytes: Uint8Array): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "baton-cert-")), name);
  writeFileSync(file, bytes);
  return file;
}

/** Page 1 at 50 dpi in grey, as poppler renders it. */
function renderPage(pdfFile: string): Uint8Array {
  const prefix = path.join(path.dirname(pdfFile), "page");
  execFileSync("pdftoppm", [
    "-r",
    "50",
    "-gray",
    "-png",
    "-f",
    "1",
    "-l",
    "1",
    "-singlefile",
    pdfFile,
    prefix,
  ]);
  return readFileSync(`${prefix}.png`);
}

const squeeze = (text: string) => text.replace(/\s+/g, "");

describe("the separation certificate PDF", () => {
  it("prints the Chinese text so that pdftotext reads it back", async () => {
    const pdf = await renderCertificatePdf(await sampleDocument(), meta);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", tempFile("c.pdf", pdf), "-"]).toString("utf8");
    for (const expected of [
      "离职证明",
      "百通示范（上海）科技有限公司",
      "林一",
      "310101199001011234",
      "2024年3月1日 至 2027年2月28日",
      "2026年3月31日",
      "高级工程师",
      "2年6个月17天",
      "劳动者解除劳动合同",
      "用人单位（盖章）",
      "Separation Certificate",
      `https://baton.example.com/verify/${sampleRecord.verifyUrl.split("/").pop()}`,
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("prints nothing but the catalogue texts and the facts: no remarks anywhere", async () => {
    const doc = await sampleDocument();
    const pdf = await renderCertificatePdf(doc, meta);
    const extracted = execFileSync("pdftotext", ["-enc", "UTF-8", tempFile("c.pdf", pdf), "-"]).toString(
      "utf8",
    );
    // Every run of text on the page is part of one of the document's own texts (or the punctuation
    // joining a label to its value): nothing was added on the way to paper.
    const allowed = squeeze(documentTexts(doc).join(""));
    const runs = extracted.split(/\n+/).map(squeeze).filter(Boolean);
    for (const run of runs) {
      const pieces = run.split(/[：:]/);
      for (const piece of pieces) expect(allowed, `unexpected text on the page: ${run}`).toContain(piece);
    }
    // And the other way round: every text of the document is on the page.
    for (const piece of documentTexts(doc)) expect(squeeze(extracted)).toContain(squeeze(piece).slice(0, 12));
  });

  it("renders page 1 like the reviewed golden image", async () => {
    const pdf = await renderCertificatePdf(await sampleDocument(), meta);
    const png = renderPage(tempFile("c.pdf", pdf));
    if (process.env.UPDATE_GOLDEN === "1") {
      // Review the new image before committing it: it is the certificate people will print.
      mkdirSync(path.dirname(golden), { recursive: true });
      writeFileSync(golden, png);
    }
    expect(existsSync(golden), "no golden image: run with UPDATE_GOLDEN=1 and review it").toBe(true);
    const actual = decodePng(png);
    const expected = decodePng(readFileSync(golden));
    expect([actual.width, actual.height]).toEqual([414, 585]); // A4 at 50 dpi
    // Antialiasing may differ a little between poppler builds; a changed word does not hide in 0.05 %.
    expect(differingPixelRatio(actual, expected)).toBeLessThan(0.0005);
  });

  it("notices when the page changes (the comparison is not blind): another name is enough", async () => {
    const content = certificateContent({
      ...sampleFacts,
      employee: { ...sampleFacts.employee, name: "欧阳娜娜" },
    });
    const doc = certificateDocument(content, { ...sampleRecord, contentHash: await contentHash(content) });
    const png = renderPage(tempFile("c.pdf", await renderCertificatePdf(doc, meta)));
    expect(differingPixelRatio(decodePng(png), decodePng(readFileSync(golden)))).toBeGreaterThan(0.001);
  });

  it("is small, one A4 page, and the same bytes for the same inputs", async () => {
    const doc = await sampleDocument();
    const first = await renderCertificatePdf(doc, meta);
    const second = await renderCertificatePdf(doc, meta);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    expect(first.length).toBeLessThan(60_000);
    const info = execFileSync("pdfinfo", [tempFile("c.pdf", first)]).toString("utf8");
    expect(info).toMatch(/Pages:\s+1\n/);
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    expect(info).toContain("2026");
    const fonts = execFileSync("pdffonts", [tempFile("c.pdf", first)]).toString("utf8");
    expect(fonts).toContain("NotoSansSC-Regular");
  });

  it("moves the seal block to a second page rather than over the footer when the text is very long", async () => {
    const longName = "超长名称示范".repeat(30);
    const content = certificateContent({
      ...sampleFacts,
      entity: { id: "demo-sh", name: longName },
      employee: { ...sampleFacts.employee, position: "岗位".repeat(45) },
    });
    const doc = certificateDocument(content, { ...sampleRecord, contentHash: await contentHash(content) });
    const file = tempFile("c.pdf", await renderCertificatePdf(doc, meta));
    expect(execFileSync("pdfinfo", [file]).toString("utf8")).toMatch(/Pages:\s+2\n/);
    const pageTwo = execFileSync("pdftotext", ["-f", "2", "-l", "2", "-enc", "UTF-8", file, "-"]).toString(
      "utf8",
    );
    expect(pageTwo).toContain("用人单位（盖章）");
    expect(pageTwo).toContain("核验本证明");
  });
});
