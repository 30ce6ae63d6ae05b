/** Shows enough of a personal value to recognise it, not to use it. */
export function maskTail(value: string, visible = 4): string {
  const chars = [...value];
  if (chars.length <= visible) return "*".repeat(chars.length);
  return "*".repeat(chars.length - visible) + chars.slice(-visible).join("");
}

export function maskEmail(value: string): string {
  const at = value.lastIndexOf("@");
  if (at < 1) return maskTail(value, 2);
  return `${value[0]}***${value.slice(at)}`;
}

/** 张三丰 → 张**, John Smith → J*** S****: how names appear on public verification pages. */
export function maskName(name: string): string {
  const trimmed = name.trim();
  if (/[\u3400-\u9fff]/.test(trimmed)) {
    const chars = [...trimmed];
    return chars[0] + "*".repeat(Math.max(1, chars.length - 1));
  }
  return trimmed
    .split(/\s+/)
    .map((part) => (part ? part[0] + "*".repeat(Math.max(1, part.length - 1)) : part))
    .join(" ");
}
