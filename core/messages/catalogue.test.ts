import { describe, expect, it } from "vitest";
import { catalogues, locales, negotiateLocale, translate } from "./index.ts";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("message catalogue", () => {
  it("has every key in every language, with the same placeholders, and no empty text", () => {
    const reference = Object.keys(catalogues.en).sort();
    for (const locale of locales) {
      const catalogue = catalogues[locale] as Record<string, string>;
      expect(Object.keys(catalogue).sort(), `keys of ${locale}`).toEqual(reference);
      for (const key of reference) {
        const text = catalogue[key] ?? "";
        expect(text.trim().length, `${locale} ${key} is empty`).toBeGreaterThan(0);
        expect(placeholders(text), `${locale} ${key} placeholders`).toEqual(
          placeholders((catalogues.en as Record<string, string>)[key] ?? ""),
        );
      }
    }
  });

  it("zh-CN texts are actually Chinese, not copies of the English", () => {
    for (const [key, text] of Object.entries(catalogues["zh-CN"])) {
      expect(/[\u4e00-\u9fff]/.test(text), `zh-CN ${key}`).toBe(true);
    }
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "error.missing_scope", { scope: "cases:write" })).toBe(
      "This API key lacks the scope cases:write.",
    );
    expect(translate("zh-CN", "error.missing_scope", {})).toContain("{scope}");
  });

  it("negotiates the locale from Accept-Language with weights", () => {
    expect(negotiateLocale("en-US,en;q=0.9")).toBe("en");
    expect(negotiateLocale("fr-FR, zh-TW;q=0.5, en;q=0.4")).toBe("zh-CN");
    expect(negotiateLocale("fr", "en")).toBe("en");
    expect(negotiateLocale("zh;q=0, en")).toBe("en");
    expect(negotiateLocale(undefined)).toBe("zh-CN");
  });
});
