import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCardPage } from "../../adapters/web/render.ts";
import type { CardNode } from "../../cards/model.ts";
import { notificationCardExamples, templateExamples } from "../../cards/templates/examples.ts";
import { type Locale, translate } from "../../core/messages/index.ts";
import { launchBrowser, type TestBrowser } from "./browser.ts";

// Every example card, in zh-CN and en, rendered by the web surface into a standalone page in
// Chromium at phone width: screenshotted into test-results/cards/<name>.<locale>.png and checked
// for what a person would notice — sideways scrolling, clipped or missing labels, tofu for Chinese.

const root = fileURLToPath(new URL("../..", import.meta.url));
const outDir = path.join(root, "test-results", "cards");
const phone = { width: 375, height: 812 };
const examples = [...templateExamples, ...notificationCardExamples];
const locales: Locale[] = ["zh-CN", "en"];
const cjk = /[\u3400-\u9fff]/;

/** The texts on the card a person must be able to read: title, labels of buttons, fields and inputs. */
function labelsOf(card: CardNode): string[] {
  const labels = [card.header.title];
  for (const block of card.children) {
    if (block.type === "actions") labels.push(...block.elements.map((e) => e.label));
    else if (block.type === "fields") labels.push(...block.fields.map((f) => f.label));
    else if (block.type === "submit") labels.push(block.label);
    else if (block.type.endsWith("-input")) labels.push((block as { label: string }).label);
  }
  return labels.filter((l) => l.trim() !== "");
}

type Layout = {
  innerWidth: number;
  scrollWidth: number;
  /** Visible elements whose box reaches past the right edge of the viewport. */
  outside: string[];
  /** Visible buttons and labels whose text does not fit their box (cut off). */
  clipped: string[];
  /** Buttons and labels with no visible box at all. */
  invisible: string[];
  /** The text a person sees (layout-aware, hidden parts left out). */
  text: string;
  links: string[];
};

/** Runs in the page: geometry of everything visible. */
function measure(): Layout {
  const describe = (el: Element) =>
    `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).replace(/\s+/g, ".")}` : ""} "${(el.textContent ?? "").trim().slice(0, 40)}"`;
  const shown = (el: Element) => {
    if (el.closest("[hidden]")) return false;
    const details = el.closest("details:not([open])");
    if (details && !el.closest("summary") && el !== details) return false;
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden";
  };
  const outside: string[] = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > window.innerWidth + 0.5 || box.left < -0.5) outside.push(describe(el));
  }
  const clipped: string[] = [];
  const invisible: string[] = [];
  const controls = document.querySelectorAll(
    "button, .btn, summary, label, legend, dt, .card-title, a[href]",
  );
  for (const el of controls) {
    if (!shown(el) || (el as HTMLElement).getAttribute("aria-hidden") === "true") continue;
    if ((el.textContent ?? "").trim() === "") continue;
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) {
      invisible.push(describe(el));
      continue;
    }
    const html = el as HTMLElement;
    if (html.scrollWidth > html.clientWidth + 1 || html.scrollHeight > html.clientHeight + 1) {
      if (getComputedStyle(el).display !== "inline") clipped.push(describe(el));
    }
  }
  return {
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    outside,
    clipped,
    invisible,
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point: hidden parts must not count.
    text: document.body.innerText,
    links: [...document.querySelectorAll("a[href]")].map((a) => (a as HTMLAnchorElement).href),
  };
}

/** The fonts Chromium actually drew a node's text with (DevTools protocol), with glyph counts. */
async function fontsOf(
  cdp: CDPSession,
  selector: string,
): Promise<{ familyName: string; glyphCount: number }[]> {
  const { root: doc } = (await cdp.send("DOM.getDocument", { depth: -1 })) as { root: { nodeId: number } };
  const { nodeId } = (await cdp.send("DOM.querySelector", { nodeId: doc.nodeId, selector })) as {
    nodeId: number;
  };
  const { fonts } = (await cdp.send("CSS.getPlatformFontsForNode", { nodeId })) as {
    fonts: { familyName: string; glyphCount: number }[];
  };
  return fonts;
}

describe("cards in a real browser at phone width (375 px)", () => {
  let browser: TestBrowser;
  let page: Page;
  let cdp: CDPSession;

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    browser = await launchBrowser();
    page = await browser.page(phone);
    cdp = await browser.context.newCDPSession(page);
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("has examples to show", () => {
    expect(examples.length).toBeGreaterThan(20);
    expect(examples.map((e) => e.name)).toContain("resignation-notice-form");
  });

  it("the checks catch sideways overflow, a cut-off button and tofu", async () => {
    await page.setContent(
      `<!doctype html><html lang="en"><body><div style="width:500px">wide</div>
<button style="width:40px;overflow:hidden;white-space:nowrap">很长的按钮文字</button>
<h2 class="card-title">\u{E000}\u{E001}</h2></body></html>`,
    );
    const layout = await page.evaluate(measure);
    expect(layout.scrollWidth).toBeGreaterThan(phone.width);
    expect(layout.outside.join()).toContain("div");
    expect(layout.clipped.join()).toContain("很长的按钮文字");
    const fonts = await fontsOf(cdp, ".card-title");
    expect(fonts.map((f) => f.familyName).join()).not.toMatch(/CJK/);
  });

  const cases = examples.flatMap((example) => locales.map((locale) => ({ example, locale })));

  it.each(cases)("$example.name in $locale", async ({ example, locale }) => {
    const card = example.render({ locale, t: translate });
    await page.setContent(renderCardPage(card, { locale }), { waitUntil: "load" });
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: path.join(outDir, `${example.name}.${locale}.png`), fullPage: true });

    const layout = await page.evaluate(measure);
    expect(layout.innerWidth).toBe(phone.width);
    expect(layout.scrollWidth, "no sideways scrolling").toBeLessThanOrEqual(phone.width);
    expect(layout.outside, "nothing past the right edge").toEqual([]);
    expect(layout.clipped, "no label cut off").toEqual([]);
    expect(layout.invisible, "no label without a box").toEqual([]);
    const shownText = layout.text.replace(/\s+/g, " ");
    for (const label of labelsOf(card)) {
      expect(shownText, `"${label}" is shown`).toContain(label.replace(/\s+/g, " "));
    }
    // Facts are shown as text, or are the target of a visible link (a download address).
    for (const fact of example.facts) {
      if (!shownText.includes(fact)) expect(layout.links, `"${fact}" is shown or linked`).toContain(fact);
    }

    if (locale === "zh-CN") {
      expect(card.header.title).toMatch(cjk);
      const fonts = await fontsOf(cdp, ".card-title");
      const cjkFonts = fonts.filter((f) =>
        /CJK|SC\b|Hei|Song|Ming|Han|Hiragino|PingFang|YaHei|WenQuanYi/i.test(f.familyName),
      );
      const chars = [...card.header.title].filter((ch) => cjk.test(ch)).length;
      expect(
        fonts.map((f) => f.familyName).join(", "),
        "the title's Chinese is drawn with a CJK font",
      ).toMatch(/CJK|SC\b|Hei|Song|Ming|Han|Hiragino|PingFang|YaHei|WenQuanYi/i);
      expect(cjkFonts.reduce((n, f) => n + f.glyphCount, 0)).toBeGreaterThanOrEqual(chars);
      // A Chinese glyph is about one em wide; tofu from a missing font or zero-width marks are not.
      const width = await page.evaluate(() => {
        const title = document.querySelector(".card-title");
        const text = title?.firstChild;
        const ch = [...(text?.textContent ?? "")].findIndex((c) => /[\u3400-\u9fff]/.test(c));
        if (!title || !text || ch < 0) return { ratio: 0 };
        const range = document.createRange();
        const offset = [...(text.textContent ?? "")].slice(0, ch).join("").length;
        range.setStart(text, offset);
        range.setEnd(text, offset + 1);
        const size = Number.parseFloat(getComputedStyle(title).fontSize);
        return { ratio: range.getBoundingClientRect().width / size };
      });
      expect(width.ratio).toBeGreaterThan(0.85);
      expect(width.ratio).toBeLessThan(1.15);
    }
  });
});
