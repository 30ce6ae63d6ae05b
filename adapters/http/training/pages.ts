import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type Block, type Inline, pageBlocks } from "../../../core/training/lesson-text.ts";
import type { Answers, ShownQuestion } from "../../../core/training/quiz.ts";

/** Server-rendered pieces of the lesson and quiz pages. Every text goes through `html`, which escapes it. */

function inlines(parts: readonly Inline[]) {
  return parts.map((part) => (part.strong ? html`<strong>${part.text}</strong>` : html`${part.text}`));
}

function block(b: Block) {
  switch (b.type) {
    case "heading":
      return html`<h2>${inlines(b.inlines)}</h2>`;
    case "paragraph":
      return html`<p>${inlines(b.inlines)}</p>`;
    case "quote":
      return html`<blockquote>${inlines(b.inlines)}</blockquote>`;
    case "list":
      return b.ordered
        ? html`<ol>${b.items.map((item) => html`<li>${inlines(item)}</li>`)}</ol>`
        : html`<ul>${b.items.map((item) => html`<li>${inlines(item)}</li>`)}</ul>`;
  }
}

/** A lesson page's Markdown subset as HTML. */
export function lessonPageHtml(markdown: string): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`<div class="lesson">${pageBlocks(markdown).map(block)}</div>`;
}

/** Form field names: `q.<id>` for one choice, `q.<id>.<letter>` for each box of a multiple choice. */
export function fieldName(question: Pick<ShownQuestion, "questionId" | "type">, key?: string): string {
  return question.type === "multiple" && key ? `q.${question.questionId}.${key}` : `q.${question.questionId}`;
}

/** The quiz's questions as form inputs, with answers given so far ticked. */
export function quizFieldsHtml(
  questions: readonly ShownQuestion[],
  answers: Answers,
  multipleHint: string,
): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`${questions.map((q) => {
    const chosen = new Set(answers[q.questionId] ?? []);
    const multiple = q.type === "multiple";
    return html`<fieldset>
<legend>${q.number}. ${q.prompt}</legend>
${multiple ? html`<p class="muted">${multipleHint}</p>` : ""}
${q.options.map(
  (o) =>
    html`<label><input type="${multiple ? "checkbox" : "radio"}" name="${fieldName(q, o.key)}" value="${o.key}"${
      chosen.has(o.key) ? html` checked` : ""
    }${multiple ? "" : html` required`}> ${o.key}. ${o.text}</label><br>`,
)}
</fieldset>`;
  })}`;
}

/** Reads the posted form back into chosen letters per question (unknown fields are ignored). */
export function answersFromForm(
  questions: readonly ShownQuestion[],
  form: Readonly<Record<string, string>>,
): Answers {
  const answers: Answers = {};
  for (const q of questions) {
    if (q.type === "multiple") {
      const keys = q.options.map((o) => o.key).filter((key) => form[fieldName(q, key)] !== undefined);
      if (keys.length) answers[q.questionId] = keys;
    } else {
      const value = form[fieldName(q)];
      if (value) answers[q.questionId] = [value];
    }
  }
  return answers;
}
