/**
 * The typed full name must be the directory name. People type names differently on phones and
 * IMEs, so both sides are compared after: Unicode NFKC (full-width letters and the ideographic
 * space become their plain forms), whitespace collapsed to one space and trimmed, spaces next to
 * a Chinese character dropped (`张 三` = `张三`), and letter case ignored (`emily chen` = `Emily Chen`).
 */
export function normaliseName(name: string): string {
  return name
    .normalize("NFKC")
    .replace(/\s+/gu, " ")
    .trim()
    .replace(/ (?=\p{Script=Han})|(?<=\p{Script=Han}) /gu, "")
    .toLocaleLowerCase("en");
}

export function sameName(typed: string, directoryName: string): boolean {
  const a = normaliseName(typed);
  return a.length > 0 && a === normaliseName(directoryName);
}
