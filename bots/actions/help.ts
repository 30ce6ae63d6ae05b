import { help } from "../../cards/templates/general.ts";
import { type BotContext, show } from "../context.ts";
import type { Reply } from "../reply.ts";

/** The help card: the commands of each role the person has. */
export function helpReply(ctx: BotContext): Reply {
  const { person } = ctx;
  const roles: ("employee" | "manager" | "hr" | "finance")[] = ["employee"];
  if (person.managesPeople) roles.push("manager");
  if (person.functions.includes("hr")) roles.push("hr");
  if (person.functions.includes("finance")) roles.push("finance");
  return show(ctx, help({ roles }, ctx.cards), { personal: false });
}
