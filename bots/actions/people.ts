/** The person picker's search as the user types (`search` events): options by name or employee id. */

import type { Option } from "../../cards/model.ts";
import type { BotContext } from "../context.ts";
import type { Reply } from "../reply.ts";
import { peopleSearchAction } from "./cases.ts";

/** The most options one answer carries (pickers show a short list; typing narrows it). */
export const maxSearchOptions = 20;

/** Queries shorter than this get no options (one letter matches half the company). */
export const minSearchLength = 1;

export async function searchPeople(ctx: BotContext, action: string, query: string): Promise<Reply[]> {
  if (action !== peopleSearchAction) return [{ type: "options", options: [] }];
  const text = query.normalize("NFKC").trim().slice(0, 64);
  if (text.length < minSearchLength) return [{ type: "options", options: [] }];
  const found: Option[] = await ctx.ports.people.search(text, maxSearchOptions);
  return [{ type: "options", options: found.slice(0, maxSearchOptions) }];
}
