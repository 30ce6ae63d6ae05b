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
