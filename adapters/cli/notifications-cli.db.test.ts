import { describe, expect, it } from "vitest";
import { installation } from "../../test/helpers/cli.ts";
import { loadConfig } from "../http/config.ts";
import { CliError } from "./args.ts";
import type { CliIo } from "./context.ts";
import { type NotificationsCommand, notificationsCommand } from "./notifications-commands.ts";

describe("baton channels, outbox and tick (direct mode)", () => {
  it("binds, lists and unbinds a channel, runs a tick, and reports dead messages", async () => {
    const env = await installation();
    const config = loadConfig({ ...env, BATON_DEMO: "0" });
    let out = "";
    const io: CliIo = {
      stdout: (text) => {
        out += text;
      },
      stderr: () => {},
    };
    const run = async (command: NotificationsCommand) => {
      out = "";
      await notificationsCommand(command, config, { kind: "direct" }, io);
      return out;
    };

    expect(
      await run({ name: "channels bind", platform: "slack", channelId: "C0HR", purpose: "hr", json: false }),
    ).toMatch(/^Bound slack C0HR as a hr channel for every entity \(id [0-9a-f-]{36}\)\.\n$/);
    const listed = JSON.parse(await run({ name: "channels list", json: true })) as {
      channels: { id: string }[];
    };
    expect(listed.channels).toHaveLength(1);
    expect(await run({ name: "channels list", purpose: "finance", json: false })).toBe(
      "No channel is bound.\n",
    );
    const tick = await run({ name: "tick", json: false });
    expect(tick).toMatch(/^hr-daily-digest: (ran|skipped) \(\d+ ms\)$/m);
    expect(tick).toMatch(/^calendar-provisional-warning: ran/m);
    expect(await run({ name: "outbox dead", json: false })).toBe("No dead messages.\n");
    await expect(run({ name: "outbox retry", id: "12345", json: false })).rejects.toThrow(CliError);
    expect(await run({ name: "channels unbind", id: listed.channels[0]?.id ?? "", json: false })).toMatch(
      /^Unbound channel /,
    );
    await expect(
      run({ name: "channels unbind", id: listed.channels[0]?.id ?? "", json: false }),
    ).rejects.toThrow(/No bound channel has this id/);
  });
});
