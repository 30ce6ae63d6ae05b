import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

type Manifest = {
  features: {
    bot_user: { display_name: string };
    slash_commands: { command: string; url: string; should_escape: boolean }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url: string };
    socket_mode_enabled: boolean;
  };
};

const manifest = JSON.parse(readFileSync(new URL("./manifest.json", import.meta.url), "utf8")) as Manifest;
const url = "https://YOUR-HOST/webhooks/slack";

describe("the Slack app manifest", () => {
  it("sends events, interactivity, options and the command to the one webhook", () => {
    expect(manifest.settings.event_subscriptions.request_url).toBe(url);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: url,
      message_menu_options_url: url,
    });
    expect(manifest.features.slash_commands.map((c) => [c.command, c.url])).toEqual([["/baton", url]]);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it("subscribes to direct messages and mentions only", () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(["app_mention", "message.im"]);
  });

  it("asks for the scopes those need, and nothing that reads channel messages", () => {
    const scopes = manifest.oauth_config.scopes.bot;
    for (const scope of ["app_mentions:read", "im:history", "chat:write", "commands", "im:write"])
      expect(scopes).toContain(scope);
    for (const scope of ["channels:history", "groups:history", "mpim:history", "admin"])
      expect(scopes).not.toContain(scope);
  });
});
