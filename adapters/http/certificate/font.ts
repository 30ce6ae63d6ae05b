import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import subsetFont from "subset-font";

/**
 * Noto Sans SC (SIL OFL 1.1), one weight, from @expo-google-fonts/noto-sans-sc. pdf-lib's own
 * subsetting loses most CJK glyphs (toolbox.md), so the font is cut down with harfbuzz
 * (subset-font) to the characters a document uses and embedded as is.
 */
const fontModule = "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf";

let fontFile: Promise<Uint8Array> | undefined;

function fullFont(): Promise<Uint8Array> {
  fontFile ??= readFile(createRequire(import.meta.url).resolve(fontModule)).catch((error: unknown) => {
    fontFile = undefined;
    throw error;
  });
  return fontFile;
}

/** Printable ASCII is always kept, so URLs, ids and hashes never miss a glyph. */
const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join("");

/**
 * A TrueType font with only the glyphs `text` needs. Layout features are dropped: with them
 * fontkit shapes "fi" into a ligature glyph that text extraction (and search) cannot read back.
 */
export async function subsetFontFor(text: string): Promise<Uint8Array> {
  const chars = [...new Set(Array.from(text + ascii))].sort().join("");
  return subsetFont(await fullFont(), chars, { targetFormat: "truetype", keepFeatures: [] });
}
