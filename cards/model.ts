/**
 * The neutral card tree: what a chat surface shows, without any platform field. Renderers in
 * `adapters/<platform>/card.ts` turn it into Block Kit, Lark card JSON, Adaptive Cards or HTML;
 * `fallback-text.ts` turns it into plain text. Button values carry an action name and ids only.
 */

/** The longest button value a surface must carry (action name + ids, never secrets). */
export const maxValueLength = 200;

export type Tone = "info" | "success" | "warning" | "danger";
export type ButtonStyle = "primary" | "danger" | "default";

export type Header = { title: string; subtitle?: string; tone: Tone };

/** Asked before a button's action runs. */
export type Confirmation = { title: string; text: string; confirm: string; deny: string };

export type TextNode = { type: "text"; text: string; markdown: boolean };
export type Field = { label: string; value: string };
export type FieldsNode = { type: "fields"; fields: Field[] };
export type DividerNode = { type: "divider" };
export type ButtonNode = {
  type: "button";
  label: string;
  /** Action name the bot maps to a core command, e.g. `notice.submit`. */
  action: string;
  /** Ids only (`case:42`), at most {@link maxValueLength} characters with the action. */
  value?: string;
  style: ButtonStyle;
  confirm?: Confirmation;
};
export type LinkButtonNode = { type: "link-button"; label: string; url: string };
export type ActionsNode = { type: "actions"; elements: (ButtonNode | LinkButtonNode)[] };

export type Option = { label: string; value: string };
export type TextInputNode = {
  type: "text-input";
  id: string;
  label: string;
  placeholder?: string;
  multiline: boolean;
  required: boolean;
  initial?: string;
};
export type ChoiceInputNode = {
  type: "choice-input";
  id: string;
  label: string;
  options: Option[];
  multiple: boolean;
  required: boolean;
  initial?: string[];
};
export type DateInputNode = {
  type: "date-input";
  id: string;
  label: string;
  required: boolean;
  /** ISO dates (`2026-03-31`). */
  initial?: string;
  min?: string;
};
export type PersonInputNode = {
  type: "person-input";
  id: string;
  label: string;
  required: boolean;
  multiple: boolean;
  /** A first list to pick from (may be empty). */
  options: Option[];
  /**
   * `local`: the options are all there are. `remote`: the list is large — search as the user
   * types (where the surface can) through the named search action.
   */
  search: { mode: "local" } | { mode: "remote"; action: string };
};
/** Sends every input of the card with the action. */
export type SubmitNode = {
  type: "submit";
  label: string;
  action: string;
  value?: string;
  style: ButtonStyle;
  confirm?: Confirmation;
};

export type InputNode = TextInputNode | ChoiceInputNode | DateInputNode | PersonInputNode;
export type Block = TextNode | FieldsNode | DividerNode | ActionsNode | InputNode | SubmitNode;
export type CardNode = { type: "card"; header: Header; children: Block[] };
export type Node = CardNode | Block | ButtonNode | LinkButtonNode;

function checkValue(action: string, value: string | undefined): void {
  const length = action.length + (value?.length ?? 0);
  if (length > maxValueLength)
    throw new Error(`button value of ${action} is ${length} characters (max ${maxValueLength})`);
}

/** A card: a header and blocks, top to bottom. */
export function Card(header: Header, children: (Block | false | undefined)[]): CardNode {
  return { type: "card", header, children: children.filter((c): c is Block => Boolean(c)) };
}

/** Plain text, shown as written (no markup). */
export function Text(text: string): TextNode {
  return { type: "text", text, markdown: false };
}

/** Text with light Markdown (bold, lists, links); never put user input in it unescaped. */
export function Markdown(text: string): TextNode {
  return { type: "text", text, markdown: true };
}

/** Label/value pairs; empty values are left out. */
export function Fields(fields: (Field | false | undefined)[]): FieldsNode {
  return {
    type: "fields",
    fields: fields.filter((f): f is Field => Boolean(f) && (f as Field).value !== ""),
  };
}

/** A thin line between blocks. */
export function Divider(): DividerNode {
  return { type: "divider" };
}

/** A row of buttons and link buttons. */
export function Actions(elements: (ButtonNode | LinkButtonNode)[]): ActionsNode {
  return { type: "actions", elements };
}

/** A button that sends `action` with `value` (ids only, ≤ 200 characters together). */
export function Button(
  label: string,
  action: string,
  options: { value?: string; style?: ButtonStyle; confirm?: Confirmation } = {},
): ButtonNode {
  checkValue(action, options.value);
  return {
    type: "button",
    label,
    action,
    style: options.style ?? "default",
    ...(options.value !== undefined ? { value: options.value } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
}

/** A button that opens a web page. */
export function LinkButton(label: string, url: string): LinkButtonNode {
  return { type: "link-button", label, url };
}

/** A free-text input. */
export function TextInput(
  id: string,
  label: string,
  options: { placeholder?: string; multiline?: boolean; required?: boolean; initial?: string } = {},
): TextInputNode {
  const { multiline = false, required = false, ...rest } = options;
  return { type: "text-input", id, label, multiline, required, ...rest };
}

/** A single or multiple choice from fixed options. */
export function ChoiceInput(
  id: string,
  label: string,
  options: Option[],
  settings: { multiple?: boolean; required?: boolean; initial?: string[] } = {},
): ChoiceInputNode {
  const { multiple = false, required = false, ...rest } = settings;
  return { type: "choice-input", id, label, options, multiple, required, ...rest };
}

/** A date picker (ISO dates). */
export function DateInput(
  id: string,
  label: string,
  options: { required?: boolean; initial?: string; min?: string } = {},
): DateInputNode {
  const { required = false, ...rest } = options;
  return { type: "date-input", id, label, required, ...rest };
}

/** A person picker; pass `searchAction` when the list is too large to send (search as you type). */
export function PersonInput(
  id: string,
  label: string,
  options: { people?: Option[]; searchAction?: string; multiple?: boolean; required?: boolean } = {},
): PersonInputNode {
  return {
    type: "person-input",
    id,
    label,
    required: options.required ?? false,
    multiple: options.multiple ?? false,
    options: options.people ?? [],
    search: options.searchAction ? { mode: "remote", action: options.searchAction } : { mode: "local" },
  };
}

/** The button that sends the card's inputs. */
export function Submit(
  label: string,
  action: string,
  options: { value?: string; style?: ButtonStyle; confirm?: Confirmation } = {},
): SubmitNode {
  checkValue(action, options.value);
  return {
    type: "submit",
    label,
    action,
    style: options.style ?? "primary",
    ...(options.value !== undefined ? { value: options.value } : {}),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
}

/** Every node of a card, depth first (the card itself first). */
export function walk(card: CardNode): Node[] {
  const out: Node[] = [card];
  for (const child of card.children) {
    out.push(child);
    if (child.type === "actions") out.push(...child.elements);
  }
  return out;
}
