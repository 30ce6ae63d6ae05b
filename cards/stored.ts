import { type CardNode, maxValueLength } from "./model.ts";

/**
 * A card tree read back from storage (an outbox row's data): checked against the model before a
 * renderer sees it, so a row that is not a card becomes "no card", never a renderer's exception.
 * (Cards import no packages — DESIGN §2 — so the check is written out here.)
 */

type Json = Record<string, unknown>;
type Check = (value: unknown) => boolean;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str =
  (max: number, min = 0): Check =>
  (v) =>
    typeof v === "string" && v.length >= min && v.length <= max;
const bool: Check = (v) => typeof v === "boolean";
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === "string" && values.includes(v);
const list =
  (check: Check, max: number): Check =>
  (v) =>
    Array.isArray(v) && v.length <= max && v.every(check);
/** An object whose listed properties pass their checks (other properties are not allowed). */
const shape =
  (checks: Record<string, Check>): Check =>
  (v) =>
    isObject(v) &&
    Object.keys(v).every((k) => Object.hasOwn(checks, k)) &&
    Object.entries(checks).every(([k, check]) => check(v[k]));

const text = str(10_000);
const label = str(500);
const id = str(100, 1);
const action = str(maxValueLength, 1);
const value = str(maxValueLength);
const date = str(10);
const option = shape({ label, value });
const confirm = optional(shape({ title: label, text, confirm: label, deny: label }));
const style = oneOf("primary", "danger", "default");

const button = shape({ type: oneOf("button"), label, action, value: optional(value), style, confirm });
const linkButton: Check = (v) =>
  shape({ type: oneOf("link-button"), label, url: str(2000) })(v) &&
  /^https?:\/\//.test(String((v as Json).url));

const blocks: Record<string, Check> = {
  text: shape({ type: oneOf("text"), text, markdown: bool }),
  fields: shape({ type: oneOf("fields"), fields: list(shape({ label, value: text }), 50) }),
  divider: shape({ type: oneOf("divider") }),
  actions: shape({ type: oneOf("actions"), elements: list((e) => button(e) || linkButton(e), 25) }),
  "text-input": shape({
    type: oneOf("text-input"),
    id,
    label,
    placeholder: optional(label),
    multiline: bool,
    required: bool,
    initial: optional(text),
  }),
  "choice-input": shape({
    type: oneOf("choice-input"),
    id,
    label,
    options: list(option, 100),
    multiple: bool,
    required: bool,
    initial: optional(list(value, 100)),
  }),
  "date-input": shape({
    type: oneOf("date-input"),
    id,
    label,
    required: bool,
    initial: optional(date),
    min: optional(date),
  }),
  "person-input": shape({
    type: oneOf("person-input"),
    id,
    label,
    required: bool,
    multiple: bool,
    options: list(option, 100),
    search: (v) => shape({ mode: oneOf("local") })(v) || shape({ mode: oneOf("remote"), action })(v),
  }),
  submit: shape({ type: oneOf("submit"), label, action, value: optional(value), style, confirm }),
};

const block: Check = (v) =>
  isObject(v) && typeof v.type === "string" && Object.hasOwn(blocks, v.type) && (blocks[v.type] as Check)(v);

const card = shape({
  type: oneOf("card"),
  header: shape({
    title: label,
    subtitle: optional(label),
    tone: oneOf("info", "success", "warning", "danger"),
  }),
  children: list(block, 100),
});

/** The stored value as a card, or undefined when it is not one. */
export function storedCard(value: unknown): CardNode | undefined {
  return card(value) ? (value as CardNode) : undefined;
}
