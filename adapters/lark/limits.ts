/**
 * What a Lark card (JSON 2.0) must respect, and a checker that lists every breach
 * (shared/reference/lark-dingtalk.md §A4): the request body of a card is at most 30 KB (error
 * 230025; the same for a delayed update and a callback answer), forms cannot hold another form,
 * every component in a form needs a `name` unique in the card, unknown properties are refused
 * (`200621 unknown property`), so render.ts only emits the components listed here. There is no
 * official schema to validate against offline; the tests run every rendered card through
 * {@link checkLarkCard}.
 */

import { maxValueLength } from "../../cards/model.ts";
import { isObject, type Json } from "../shared/json.ts";
import { decodeInputName, decodeValue } from "./codec.ts";

export const larkLimits = {
  /** The card as it travels in a request (`content` is a JSON string inside the JSON body). */
  cardBytes: 30 * 1024,
} as const;

export const headerTemplates = [
  "blue",
  "wathet",
  "turquoise",
  "green",
  "yellow",
  "orange",
  "red",
  "carmine",
  "violet",
  "purple",
  "indigo",
  "grey",
  "default",
] as const;

const buttonTypes = ["default", "primary", "danger", "primary_filled", "danger_filled", "text"];
const inputTags = ["input", "select_static", "multi_select_static", "date_picker"];

/** The size that counts: the card serialised, then serialised again as the `content` string. */
export function larkCardBytes(card: unknown): number {
  return new TextEncoder().encode(JSON.stringify(JSON.stringify(card))).length;
}

class Checker {
  readonly problems: string[] = [];
  readonly names = new Set<string>();

  fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  text(path: string, value: unknown, tags: string[] = ["plain_text"]): void {
    if (!isObject(value) || typeof value.content !== "string") {
      this.fail(path, "missing text object");
      return;
    }
    if (!tags.includes(String(value.tag))) this.fail(path, `text tag ${String(value.tag)} not allowed here`);
    if (value.content.trim() === "") this.fail(path, "empty text");
  }

  name(path: string, value: unknown): void {
    if (typeof value !== "string" || !/^[A-Za-z0-9_]{1,128}$/.test(value)) {
      this.fail(path, `bad name ${String(value)}`);
      return;
    }
    if (this.names.has(value)) this.fail(path, `duplicate name ${value}`);
    this.names.add(value);
  }

  behaviors(path: string, element: Json): void {
    const list = element.behaviors;
    if (!Array.isArray(list) || list.length === 0) {
      this.fail(path, "a button without behaviors");
      return;
    }
    for (const [i, b] of list.entries()) {
      if (!isObject(b)) {
        this.fail(`${path}/${i}`, "not a behavior");
      } else if (b.type === "callback") {
        const decoded = decodeValue(b.value);
        const length = decoded ? decoded.action.length + (decoded.value?.length ?? 0) : 0;
        if (!decoded) this.fail(`${path}/${i}`, "callback value is not ours");
        else if (length > maxValueLength) this.fail(`${path}/${i}`, `value of ${length} > ${maxValueLength}`);
      } else if (b.type === "open_url") {
        if (typeof b.default_url !== "string" || !/^https?:\/\//.test(b.default_url))
          this.fail(`${path}/${i}`, "open_url without an http(s) default_url");
      } else this.fail(`${path}/${i}`, `behavior ${String(b.type)}`);
    }
  }

  element(path: string, element: unknown, inForm: boolean, forms: { submits: number }[]): void {
    if (!isObject(element)) {
      this.fail(path, "not an element");
      return;
    }
    const tag = String(element.tag);
    if (inputTags.includes(tag)) {
      if (!inForm) this.fail(path, `${tag} outside a form`);
      this.name(`${path}/name`, element.name);
      if (typeof element.name === "string" && !decodeInputName(element.name))
        this.fail(`${path}/name`, "an input name that parse.ts would not read back");
      if (element.placeholder !== undefined) this.text(`${path}/placeholder`, element.placeholder);
    }
    switch (tag) {
      case "div":
        if (element.text === undefined && element.fields === undefined) this.fail(path, "div without text");
        if (element.text !== undefined) this.text(`${path}/text`, element.text, ["plain_text", "lark_md"]);
        if (element.fields !== undefined) {
          if (!Array.isArray(element.fields) || element.fields.length === 0)
            this.fail(`${path}/fields`, "empty fields");
          else
            element.fields.forEach((f, i) => {
              this.text(`${path}/fields/${i}/text`, isObject(f) ? f.text : undefined, [
                "plain_text",
                "lark_md",
              ]);
            });
        }
        return;
      case "markdown":
        if (typeof element.content !== "string" || element.content.trim() === "")
          this.fail(path, "empty markdown");
        return;
      case "hr":
        return;
      case "column_set": {
        const columns = Array.isArray(element.columns) ? element.columns : [];
        if (columns.length === 0) this.fail(path, "column_set without columns");
        for (const [i, column] of columns.entries()) {
          if (!isObject(column) || column.tag !== "column") {
            this.fail(`${path}/columns/${i}`, "not a column");
            continue;
          }
          const elements = Array.isArray(column.elements) ? column.elements : [];
          elements.forEach((e, j) => {
            this.element(`${path}/columns/${i}/elements/${j}`, e, inForm, forms);
          });
        }
        return;
      }
      case "form": {
        if (inForm) this.fail(path, "a form inside a form");
        this.name(`${path}/name`, element.name);
        const elements = Array.isArray(element.elements) ? element.elements : [];
        const form = { submits: 0 };
        elements.forEach((e, i) => {
          this.element(`${path}/elements/${i}`, e, true, [...forms, form]);
        });
        if (form.submits === 0) this.fail(path, "a form without a submit button");
        return;
      }
      case "button": {
        this.text(`${path}/text`, element.text);
        if (element.type !== undefined && !buttonTypes.includes(String(element.type)))
          this.fail(`${path}/type`, `button type ${String(element.type)}`);
        if (element.name !== undefined) this.name(`${path}/name`, element.name);
        this.behaviors(`${path}/behaviors`, element);
        if (element.confirm !== undefined) {
          const confirm = isObject(element.confirm) ? element.confirm : {};
          this.text(`${path}/confirm/title`, confirm.title);
          this.text(`${path}/confirm/text`, confirm.text);
        }
        if (element.form_action_type !== undefined) {
          if (element.form_action_type !== "submit") this.fail(path, "form_action_type other than submit");
          if (!inForm) this.fail(path, "a submit button outside a form");
          if (element.name === undefined) this.fail(path, "a submit button without a name");
          const form = forms[forms.length - 1];
          if (form) form.submits++;
        }
        return;
      }
      case "input":
        if (element.label !== undefined) this.text(`${path}/label`, element.label);
        if (element.input_type !== undefined && element.input_type !== "multiline_text")
          this.fail(path, `input_type ${String(element.input_type)}`);
        return;
      case "select_static":
      case "multi_select_static": {
        const options = Array.isArray(element.options) ? element.options : [];
        if (options.length === 0) this.fail(path, "a select without options");
        const values = new Set<string>();
        for (const [i, o] of options.entries()) {
          if (!isObject(o) || typeof o.value !== "string" || o.value === "") {
            this.fail(`${path}/options/${i}`, "option without value");
            continue;
          }
          if (values.has(o.value)) this.fail(`${path}/options/${i}`, `duplicate value ${o.value}`);
          values.add(o.value);
          this.text(`${path}/options/${i}/text`, o.text);
        }
        const initial = [
          ...(element.initial_option !== undefined ? [element.initial_option] : []),
          ...(Array.isArray(element.selected_values) ? element.selected_values : []),
        ];
        initial.forEach((v) => {
          if (typeof v !== "string" || !values.has(v))
            this.fail(path, `initial value ${String(v)} is not an option`);
        });
        return;
      }
      case "date_picker":
        if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date)))
          this.fail(`${path}/initial_date`, "not yyyy-MM-dd");
        return;
      default:
        this.fail(path, `unexpected tag ${tag}`);
    }
  }
}

/** Every breach in a card; empty when it fits. */
export function checkLarkCard(card: unknown): string[] {
  const checker = new Checker();
  if (!isObject(card)) return ["/: not a card"];
  if (card.schema !== "2.0") checker.fail("/schema", "not 2.0");
  const config = isObject(card.config) ? card.config : {};
  if (config.update_multi !== true) checker.fail("/config/update_multi", "must be true (updates in place)");
  const header = isObject(card.header) ? card.header : {};
  checker.text("/header/title", header.title);
  if (header.subtitle !== undefined) checker.text("/header/subtitle", header.subtitle);
  if (!headerTemplates.includes(header.template as (typeof headerTemplates)[number]))
    checker.fail("/header/template", `template ${String(header.template)}`);
  const body = isObject(card.body) ? card.body : {};
  const elements = Array.isArray(body.elements) ? body.elements : [];
  if (elements.length === 0) checker.fail("/body/elements", "no elements");
  elements.forEach((element, i) => {
    checker.element(`/body/elements/${i}`, element, false, []);
  });
  const bytes = larkCardBytes(card);
  if (bytes > larkLimits.cardBytes) checker.fail("/", `${bytes} bytes > ${larkLimits.cardBytes}`);
  return checker.problems;
}
