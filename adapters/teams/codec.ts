/**
 * How a neutral action travels through an Adaptive Card. `Action.Execute` carries the neutral
 * action as its `verb`, and its `data` holds `_baton` = {@link BatonData}; Teams merges every input
 * value into the same `data` object, keyed by the input's id (all values are strings, a
 * multi-select is comma-separated — `_baton.multi` names those inputs so parse.ts turns them back
 * into arrays). The fallback `Action.Submit` (older clients) sends the same `data` as a message
 * activity's `value`.
 */

export const dataKey = "_baton";

export type BatonData = {
  action: string;
  value?: string;
  /** Ids of multi-select inputs on the card. */
  multi?: string[];
};

const inputIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Input ids become keys next to `_baton` and `msteams` in the action data. */
export function isValidInputId(id: string): boolean {
  return inputIdPattern.test(id) && id !== "msteams";
}

export function decodeBatonData(data: unknown): BatonData | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const baton = (data as Record<string, unknown>)[dataKey];
  if (typeof baton !== "object" || baton === null) return undefined;
  const b = baton as Record<string, unknown>;
  if (typeof b.action !== "string" || b.action === "") return undefined;
  const multi = Array.isArray(b.multi) ? b.multi.filter((m): m is string => typeof m === "string") : [];
  return {
    action: b.action,
    ...(typeof b.value === "string" ? { value: b.value } : {}),
    ...(multi.length > 0 ? { multi } : {}),
  };
}
