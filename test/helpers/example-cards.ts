import type { CardNode, InputNode, PersonInputNode } from "../../cards/model.ts";
import { notificationCardExamples, templateExamples } from "../../cards/templates/examples.ts";
import { locales, translate } from "../../core/messages/index.ts";

/** Every example card (templates and notifications) in every language: `[name, locale, card]`. */
export const exampleCardCases = locales.flatMap((locale) =>
  [...templateExamples, ...notificationCardExamples].map(
    (example) => [example.name, locale, example.render({ locale, t: translate })] as const,
  ),
);

const firstPerson = (node: PersonInputNode): string =>
  node.search.mode === "remote" ? "employee:E1009" : (node.options[0]?.value ?? "employee:E1009");

/**
 * What a person types and picks into each input of a card: `typed` into text inputs (each surface
 * its own markup to prove it stays text), a date, the last option (or the 2nd and 3rd of a
 * multiple choice), and a person (`person` decides, by default the first one offered).
 */
export function sampleValues(
  card: CardNode,
  typed: string,
  person: (node: PersonInputNode) => string | string[] = firstPerson,
): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const node of card.children) {
    const input = node as InputNode;
    switch (node.type) {
      case "text-input":
        values[input.id] = typed;
        break;
      case "date-input":
        values[input.id] = "2026-03-31";
        break;
      case "choice-input":
        values[input.id] = node.multiple
          ? node.options.slice(1, 3).map((o) => o.value)
          : (node.options[node.options.length - 1]?.value ?? "");
        break;
      case "person-input":
        values[input.id] = person(node);
        break;
    }
  }
  return values;
}
