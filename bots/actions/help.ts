import { help } from "../../cards/templates/general.ts";
import { type BotContext, show } from "../context.ts";
import type { Reply } from "../reply.ts";

/** The help card: the commands of each role the person has. */
export function helpReply(ctx: BotContext): Reply {
  const { person } = ctx;
  const roles: ("employee" | "manager" | "hr")[] = ["employee"];
  if (person.managesPeople) roles.push("manager");
  if (person.functions.includes("hr")) roles.push("hr");
  return show(ctx, help({ roles }, ctx.cards), { personal: false });
}
