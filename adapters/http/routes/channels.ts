import type { Context, Hono } from "hono";
import { z } from "zod";
import { externalIdPattern } from "../../../core/directory/employee-input.ts";
import { AppError } from "../../../core/errors.ts";
import {
  channelIdPattern,
  channelPlatforms,
  channelPurposes,
  mayBindChannels,
} from "../../../core/notifications/channels.ts";
import { bindChannel, listChannels, unbindChannel } from "../../../db/channels.ts";
import type { Db } from "../../../db/client.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { readJson, readQuery } from "../body.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { jsonBody, queryParams } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

export const bindBody = z
  .object({
    platform: z.enum(channelPlatforms),
    channelId: z.string().regex(channelIdPattern, { message: "expected the platform's chat id" }),
    purpose: z.enum(channelPurposes),
    entityId: z.string().regex(externalIdPattern, { message: "expected an entity id" }).optional(),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const idPattern = /^[0-9a-f-]{36}$/;

/** Who may bind: HR people, and systems with the scope (DESIGN §7). */
async function requireHr(c: Context<AppEnv>): Promise<string> {
  const principal = c.get("auth")?.principal ?? "";
  const functions = await functionsOf(c.get("services").database.db, principal);
  if (!mayBindChannels({ principal, functions })) {
    throw new AppError("forbidden", "Only HR binds and unbinds group channels.", {
      messageKey: "channels.hr_only",
    });
  }
  return principal;
}

/** HR and finance group channels (DESIGN §4 "Channels", §7): bind, list, unbind. */
export function registerChannelRoutes(app: Hono<AppEnv>): void {
  app.use("/api/v1/channels", requireScope("channels:write"));
  app.use("/api/v1/channels/*", requireScope("channels:write"));

  const channelsQuery = z.object({ purpose: z.enum(channelPurposes).optional() });

  app.get("/api/v1/channels", queryParams(channelsQuery), async (c) => {
    const query = readQuery(c, channelsQuery);
    const channels = await listChannels(c.get("services").database.db, query);
    return c.json({ channels });
  });

  app.post("/api/v1/channels", jsonBody(bindBody), async (c) => {
    const body = await readJson(c, bindBody);
    const actor = await requireHr(c);
    const { database, clock } = c.get("services");
    const result = await database.db.transaction((tx) =>
      bindChannel(tx as unknown as Db, { ...body, actor, at: clock.now() }),
    );
    return c.json(result.channel, result.created ? 201 : 200);
  });

  app.delete("/api/v1/channels/:id", async (c) => {
    const id = c.req.param("id");
    if (!idPattern.test(id)) {
      throw new AppError("not_found", "No bound channel has this id.", { messageKey: "channels.not_found" });
    }
    const actor = await requireHr(c);
    const { database, clock } = c.get("services");
    await database.db.transaction((tx) => unbindChannel(tx as unknown as Db, { id, actor, at: clock.now() }));
    return c.body(null, 204);
  });
}
