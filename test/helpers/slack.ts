import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { configureSlack, type SlackRuntimeOptions, slackRuntime } from "../../adapters/http/slack.ts";
import type { RawRequest } from "../../adapters/shared/surface.ts";
import type { Database } from "../../db/client.ts";
import { employeeIdentities, employees } from "../../db/schema/index.ts";
import { testSigningSecret } from "../fakes/slack.ts";
import type { FakeSlackApi } from "../fakes/slack-api.ts";
import { createTestApp, manualClock, type TestApp } from "./app.ts";

/** The Slack environment of a test app, against the fake Web API. */
export function slackEnv(fake: FakeSlackApi, teams = "T0ACME"): Record<string, string> {
  return {
    SLACK_SIGNING_SECRET: testSigningSecret,
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_API_URL: fake.apiUrl,
    SLACK_TEAM_IDS: teams,
  };
}

/** A fetch that reaches only the loopback fake (a test never calls the real Slack). */
export const loopbackFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== "127.0.0.1") return Promise.reject(new Error(`blocked in tests: ${url.origin}`));
  return fetch(input, init);
};

export type SlackTestApp = TestApp & {
  clock: ReturnType<typeof manualClock>;
  /** Sends a signed request through the whole app; waits for the answers sent after the ack. */
  slack(request: RawRequest): Promise<Response>;
  idle(): Promise<void>;
};

export async function createSlackTestApp(
  database: Database,
  fake: FakeSlackApi,
  options: { env?: Record<string, string>; runtime?: SlackRuntimeOptions; start?: Date } = {},
): Promise<SlackTestApp> {
  const clock = manualClock(options.start);
  const t = await createTestApp(database, { env: { ...slackEnv(fake), ...options.env }, clock });
  configureSlack(t.config, { fetch: loopbackFetch, ...options.runtime });
  const idle = async () => {
    await slackRuntime(t.services)?.idle();
  };
  return {
    ...t,
    clock,
    idle,
    async slack(request) {
      const response = await t.request("/webhooks/slack", {
        method: "POST",
        headers: request.headers,
        body: request.body,
      });
      await idle();
      return response;
    },
  };
}

/** Links Slack user ids to employees, as an admin does (never by e-mail). */
export async function linkSlack(database: Database, ids: Record<string, string>): Promise<void> {
  for (const [externalId, userId] of Object.entries(ids)) {
    const [row] = await database.db
      .select({ id: employees.id })
      .from(employees)
      .where(eq(employees.externalId, externalId));
    expect(row, externalId).toBeDefined();
    await database.db
      .insert(employeeIdentities)
      .values({ employeeId: row?.id as string, platform: "slack", platformUserId: userId });
  }
}

type Json = Record<string, unknown>;

/** The plain text of every block of a message or view (headers, sections, fields, contexts). */
export function blockText(blocks: unknown): string {
  const parts: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      const o = value as Json;
      if (typeof o.text === "string") parts.push(o.text);
      for (const [k, v] of Object.entries(o)) if (k !== "text" || typeof v !== "string") walk(v);
    }
  };
  walk(blocks);
  return parts.join("\n");
}
