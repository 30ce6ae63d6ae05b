import type { Config } from "../http/config.ts";
import { expectOk, withApi } from "./api.ts";
import { type CliIo, printJson, type Target, table } from "./context.ts";

/**
 * `baton channels list [--purpose hr|finance]`
 * `baton channels bind PLATFORM CHANNEL_ID --purpose hr|finance [--entity ID] [--name TEXT]`
 * `baton channels unbind ID`
 * `baton outbox dead [--limit N]`
 * `baton outbox retry ID`
 * `baton tick`
 */
export type NotificationsCommand =
  | { name: "channels list"; purpose?: "hr" | "finance"; json: boolean }
  | {
      name: "channels bind";
      platform: string;
      channelId: string;
      purpose: string;
      entity?: string;
      channelName?: string;
      json: boolean;
    }
  | { name: "channels unbind"; id: string; json: boolean }
  | { name: "outbox dead"; limit?: number; json: boolean }
  | { name: "outbox retry"; id: string; json: boolean }
  | { name: "tick"; json: boolean };

type Channel = {
  id: string;
  platform: string;
  channelId: string;
  purpose: string;
  entityId: string | null;
  name: string | null;
};
type DeadLetter = {
  id: number;
  kind: string;
  destination: string;
  attempts: number;
  lastError: string | null;
  deadAt: string | null;
};
type TickReport = { at: string; jobs: { job: string; outcome: string; ms: number; error?: string }[] };

async function call(command: NotificationsCommand, config: Config, target: Target): Promise<unknown> {
  return withApi(config, target, undefined, async (api) => {
    switch (command.name) {
      case "channels list":
        return expectOk<unknown>(
          await api("GET", `/api/v1/channels${command.purpose ? `?purpose=${command.purpose}` : ""}`),
        );
      case "channels bind":
        return expectOk<unknown>(
          await api("POST", "/api/v1/channels", {
            json: {
              platform: command.platform,
              channelId: command.channelId,
              purpose: command.purpose,
              ...(command.entity ? { entityId: command.entity } : {}),
              ...(command.channelName ? { name: command.channelName } : {}),
            },
          }),
        );
      case "channels unbind": {
        const response = await api("DELETE", `/api/v1/channels/${encodeURIComponent(command.id)}`);
        return response.status === 204 ? { unbound: command.id } : expectOk<unknown>(response);
      }
      case "outbox dead":
        return expectOk<unknown>(await api("GET", `/api/v1/outbox/dead?limit=${command.limit ?? 100}`));
      case "outbox retry":
        return expectOk<unknown>(await api("POST", `/api/v1/outbox/${encodeURIComponent(command.id)}/retry`));
      case "tick":
        return expectOk<unknown>(await api("POST", "/api/v1/admin/tick"));
    }
  });
}

function describeChannel(c: Channel): string[] {
  return [c.id, c.purpose, c.platform, c.channelId, c.entityId ?? "(all entities)", c.name ?? ""];
}

/** HR channels, dead outbox messages and a manual scheduler tick, through the API. */
export async function notificationsCommand(
  command: NotificationsCommand,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const result = await call(command, config, target);
  if (command.json) return printJson(io, result);
  switch (command.name) {
    case "channels list": {
      const { channels } = result as { channels: Channel[] };
      if (channels.length === 0) return io.stdout("No channel is bound.\n");
      io.stdout(
        `${table([["id", "purpose", "platform", "channel", "entity", "name"], ...channels.map(describeChannel)])}\n`,
      );
      return;
    }
    case "channels bind": {
      const c = result as Channel;
      io.stdout(
        `Bound ${c.platform} ${c.channelId} as a ${c.purpose} channel for ${c.entityId ?? "every entity"} (id ${c.id}).\n`,
      );
      return;
    }
    case "channels unbind":
      io.stdout(`Unbound channel ${command.id}.\n`);
      return;
    case "outbox dead": {
      const { dead } = result as { dead: DeadLetter[] };
      if (dead.length === 0) return io.stdout("No dead messages.\n");
      io.stdout(
        `${table([
          ["id", "kind", "destination", "tries", "dead since", "last error"],
          ...dead.map((d) => [
            String(d.id),
            d.kind,
            d.destination,
            String(d.attempts),
            d.deadAt ?? "",
            d.lastError ?? "",
          ]),
        ])}\n`,
      );
      return;
    }
    case "outbox retry":
      io.stdout(`Message ${command.id} is queued again.\n`);
      return;
    case "tick": {
      const report = result as TickReport;
      io.stdout(
        `${report.jobs.map((j) => `${j.job}: ${j.outcome} (${j.ms} ms)${j.error ? ` ${j.error}` : ""}`).join("\n")}\n`,
      );
      return;
    }
  }
}
