/**
 * Block Kit limits (shared/reference/slack-teams.md §A4, from @slack/types 3.2.0 and the Block Kit
 * reference) and a checker that lists every breach in a message or modal. There is no official
 * JSON Schema to validate against offline, so render.ts fits its output to these numbers and the
 * tests run every rendered card through {@link checkMessage} / {@link checkModal}.
 */

import { isObject, type Json } from "../shared/json.ts";

export const slackLimits = {
  messageBlocks: 50,
  modalBlocks: 100,
  /** Top-level `text` of a message (Slack truncates beyond 40,000; notifications show far less). */
  messageText: 3000,
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  optionText: 75,
  optionValue: 75,
  selectOptions: 100,
  radioOptions: 10,
  checkboxOptions: 10,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  textInputValue: 3000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** external_select: how many options one block_suggestion answer may carry. */
  suggestionOptions: 100,
} as const;

function textOf(value: unknown): { type: unknown; text: string } | undefined {
  if (!isObject(value) || typeof value.text !== "string") return undefined;
  return { type: value.type, text: value.text };
}

class Checker {
  readonly problems: string[] = [];
  readonly actionIds = new Set<string>();
  readonly blockIds = new Set<string>();

  fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  text(path: string, value: unknown, max: number, options: { plainOnly?: boolean; min?: number } = {}): void {
    const text = textOf(value);
    if (!text) {
      this.fail(path, "missing text object");
      return;
    }
    if (text.type !== "plain_text" && text.type !== "mrkdwn") this.fail(path, `bad text type ${text.type}`);
    if (options.plainOnly && text.type !== "plain_text") this.fail(path, "must be plain_text");
    if (text.text.length < (options.min ?? 1)) this.fail(path, "empty text");
    if (text.text.length > max) this.fail(path, `text of ${text.text.length} > ${max}`);
  }

  string(path: string, value: unknown, max: number, required = true): void {
    if (value === undefined && !required) return;
    if (typeof value !== "string" || value.length === 0) {
      this.fail(path, "missing or empty string");
      return;
    }
    if (value.length > max) this.fail(path, `${value.length} characters > ${max}`);
  }

  count(path: string, list: unknown, max: number, min = 1): unknown[] {
    if (!Array.isArray(list)) {
      this.fail(path, "not a list");
      return [];
    }
    if (list.length < min) this.fail(path, `${list.length} items < ${min}`);
    if (list.length > max) this.fail(path, `${list.length} items > ${max}`);
    return list;
  }

  actionId(path: string, value: unknown): void {
    this.string(path, value, slackLimits.actionId);
    if (typeof value === "string") {
      if (this.actionIds.has(value)) this.fail(path, `duplicate action_id ${value}`);
      this.actionIds.add(value);
    }
  }

  option(path: string, option: unknown): void {
    if (!isObject(option)) {
      this.fail(path, "not an option");
      return;
    }
    this.text(`${path}/text`, option.text, slackLimits.optionText);
    this.string(`${path}/value`, option.value, slackLimits.optionValue);
  }

  confirm(path: string, confirm: unknown): void {
    if (confirm === undefined) return;
    if (!isObject(confirm)) {
      this.fail(path, "not a confirm object");
      return;
    }
    this.text(`${path}/title`, confirm.title, slackLimits.confirmTitle, { plainOnly: true });
    this.text(`${path}/text`, confirm.text, slackLimits.confirmText);
    this.text(`${path}/confirm`, confirm.confirm, slackLimits.confirmButton, { plainOnly: true });
    this.text(`${path}/deny`, confirm.deny, slackLimits.confirmButton, { plainOnly: true });
    if (confirm.style !== undefined && confirm.style !== "primary" && confirm.style !== "danger")
      this.fail(`${path}/style`, `bad style ${confirm.style}`);
  }

  element(path: string, element: unknown, inInput: boolean): void {
    if (!isObject(element)) {
      this.fail(path, "not an element");
      return;
    }
    const type = element.type;
    if (type !== "button" || element.url === undefined || element.action_id !== undefined)
      this.actionId(`${path}/action_id`, element.action_id);
    if (element.placeholder !== undefined)
      this.text(`${path}/placeholder`, element.placeholder, slackLimits.placeholder, { plainOnly: true });
    this.confirm(`${path}/confirm`, element.confirm);
    switch (type) {
      case "button":
        if (inInput) this.fail(path, "a button cannot be an input element");
        this.text(`${path}/text`, element.text, slackLimits.buttonText, { plainOnly: true });
        this.string(`${path}/value`, element.value, slackLimits.buttonValue, false);
        this.string(`${path}/url`, element.url, slackLimits.buttonUrl, false);
        if (element.style !== undefined && element.style !== "primary" && element.style !== "danger")
          this.fail(`${path}/style`, `bad style ${element.style}`);
        return;
      case "static_select":
      case "multi_static_select": {
        const options = this.count(`${path}/options`, element.options, slackLimits.selectOptions);
        options.forEach((o, i) => {
          this.option(`${path}/options/${i}`, o);
        });
        this.initial(path, element, options);
        return;
      }
      case "radio_buttons":
      case "checkboxes": {
        const max = type === "radio_buttons" ? slackLimits.radioOptions : slackLimits.checkboxOptions;
        const options = this.count(`${path}/options`, element.options, max);
        options.forEach((o, i) => {
          this.option(`${path}/options/${i}`, o);
        });
        this.initial(path, element, options);
        return;
      }
      case "external_select":
      case "multi_external_select":
        if (typeof element.min_query_length !== "number" || element.min_query_length < 0)
          this.fail(`${path}/min_query_length`, "must be a number ≥ 0");
        return;
      case "plain_text_input":
        if (!inInput) this.fail(path, "plain_text_input only inside an input block");
        this.string(`${path}/initial_value`, element.initial_value, slackLimits.textInputValue, false);
        return;
      case "datepicker":
        if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date)))
          this.fail(`${path}/initial_date`, "not YYYY-MM-DD");
        return;
      default:
        this.fail(path, `unexpected element type ${type}`);
    }
  }

  /** Initial options must be among the options (Slack compares text and value). */
  initial(path: string, element: Json, options: unknown[]): void {
    const initial = [
      ...(element.initial_option === undefined ? [] : [element.initial_option]),
      ...(Array.isArray(element.initial_options) ? element.initial_options : []),
    ];
    const known = new Set(options.map((o) => JSON.stringify(o)));
    initial.forEach((o, i) => {
      if (!known.has(JSON.stringify(o)))
        this.fail(`${path}/initial/${i}`, "initial option is not one of the options");
    });
  }

  block(path: string, block: unknown): void {
    if (!isObject(block)) {
      this.fail(path, "not a block");
      return;
    }
    if (block.block_id !== undefined) {
      this.string(`${path}/block_id`, block.block_id, slackLimits.blockId);
      if (typeof block.block_id === "string") {
        if (this.blockIds.has(block.block_id)) this.fail(`${path}/block_id`, `duplicate ${block.block_id}`);
        this.blockIds.add(block.block_id);
      }
    }
    switch (block.type) {
      case "header":
        this.text(`${path}/text`, block.text, slackLimits.headerText, { plainOnly: true });
        return;
      case "section": {
        if (block.text === undefined && block.fields === undefined)
          this.fail(path, "section without text or fields");
        if (block.text !== undefined) this.text(`${path}/text`, block.text, slackLimits.sectionText);
        if (block.fields !== undefined) {
          const fields = this.count(`${path}/fields`, block.fields, slackLimits.sectionFields);
          fields.forEach((f, i) => {
            this.text(`${path}/fields/${i}`, f, slackLimits.fieldText);
          });
        }
        if (block.accessory !== undefined) this.element(`${path}/accessory`, block.accessory, false);
        return;
      }
      case "context": {
        const elements = this.count(`${path}/elements`, block.elements, slackLimits.contextElements);
        elements.forEach((e, i) => {
          this.text(`${path}/elements/${i}`, e, slackLimits.contextText);
        });
        return;
      }
      case "actions": {
        const elements = this.count(`${path}/elements`, block.elements, slackLimits.actionsElements);
        elements.forEach((e, i) => {
          this.element(`${path}/elements/${i}`, e, false);
        });
        return;
      }
      case "input":
        this.text(`${path}/label`, block.label, slackLimits.inputLabel, { plainOnly: true });
        if (block.hint !== undefined)
          this.text(`${path}/hint`, block.hint, slackLimits.inputHint, { plainOnly: true });
        this.element(`${path}/element`, block.element, true);
        return;
      case "divider":
        return;
      default:
        this.fail(path, `unexpected block type ${block.type}`);
    }
  }
}

function checkBlocks(checker: Checker, blocks: unknown, max: number): void {
  const list = checker.count("/blocks", blocks, max);
  list.forEach((block, i) => {
    checker.block(`/blocks/${i}`, block);
  });
}

/** Every breach of the limits in a message (`{ text, blocks }`); empty when it fits. */
export function checkMessage(message: { text?: unknown; blocks?: unknown }): string[] {
  const checker = new Checker();
  checker.string("/text", message.text, slackLimits.messageText);
  checkBlocks(checker, message.blocks, slackLimits.messageBlocks);
  return checker.problems;
}

/** Every breach of the limits in a modal view; empty when it fits. */
export function checkModal(view: Json): string[] {
  const checker = new Checker();
  if (view.type !== "modal") checker.fail("/type", "not a modal");
  checker.text("/title", view.title, slackLimits.modalTitle, { plainOnly: true });
  if (view.submit !== undefined)
    checker.text("/submit", view.submit, slackLimits.modalButton, { plainOnly: true });
  if (view.close !== undefined)
    checker.text("/close", view.close, slackLimits.modalButton, { plainOnly: true });
  checker.string("/callback_id", view.callback_id, slackLimits.callbackId, false);
  checker.string("/private_metadata", view.private_metadata, slackLimits.privateMetadata, false);
  checkBlocks(checker, view.blocks, slackLimits.modalBlocks);
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === "input");
  if (hasInput && view.submit === undefined)
    checker.fail("/submit", "a modal with inputs needs a submit button");
  return checker.problems;
}

/** Every breach in a block_suggestion answer (`{ options }`). */
export function checkSuggestions(answer: { options?: unknown }): string[] {
  const checker = new Checker();
  const options = checker.count("/options", answer.options, slackLimits.suggestionOptions, 0);
  options.forEach((o, i) => {
    checker.option(`/options/${i}`, o);
  });
  return checker.problems;
}
