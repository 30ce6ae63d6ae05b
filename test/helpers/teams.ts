import { eq, sql } from "drizzle-orm";
import { configureTeamsForTests } from "../../adapters/http/teams.ts";
import { type BotFrameworkEndpoints, publicCloud } from "../../adapters/teams/bot-framework.ts";
import type { Clock } from "../../core/ports.ts";
import type { Database } from "../../db/client.ts";
import { employeeIdentities, employees } from "../../db/schema/index.ts";
import { channelIssuer, type FakeBotConnector } from "../fakes/bot-connector.ts";
import { activity } from "../fakes/teams.ts";
import { createTestApp, type TestApp } from "./app.ts";

/** The Azure Bot of the tests (the app id is the token audience; Teams calls the bot `28:<app id>`). */
export const appId = "1f2e3d4c-0000-4000-8000-00000000b0a7";
export const botId = `28:${appId}`;
export const tenantId = "72f988bf-0000-4000-8000-000000000001";
export const outboundToken = "test-outbound-token";

/** Every Bot Framework URL of botbuilder pointed at the fake (reference §B1: all or none). */
export function testEndpoints(fake: FakeBotConnector): BotFrameworkEndpoints {
  return {
    ...publicCloud,
    openIdMetadataUrl: fake.openIdMetadataUrl,
    emulatorOpenIdMetadataUrl: fake.openIdMetadataUrl,
    tokenIssuer: channelIssuer,
    loginUrl: "http://127.0.0.1:9/botframework.com",
    oauthUrl: "http://127.0.0.1:9/oauth",
  };
}

/** The whole app with Teams on (authenticated), botbuilder's keys and connector at the fake. */
export async function teamsTestApp(
  database: Database,
  fake: FakeBotConnector,
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const t = await createTestApp(database, {
    env: {
      BATON_ADMIN_TOKEN: `adm-${"t".repeat(40)}`,
      TEAMS_APP_ID: appId,
      TEAMS_APP_PASSWORD: "test-app-password",
      TEAMS_TENANT_ID: tenantId,
      ...options.env,
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  configureTeamsForTests(t.config, {
    endpoints: testEndpoints(fake),
    outboundToken: async () => outboundToken,
  });
  return t;
}

/** A person as Teams shows them to the bot. */
export type TeamsUser = {
  externalId: string;
  userId: string;
  aadObjectId: string;
  name: string;
  chat: string;
};

export function teamsUser(externalId: string, name = externalId): TeamsUser {
  const hex = Buffer.from(externalId).toString("hex").padStart(12, "0").slice(-12);
  return {
    externalId,
    userId: `29:1${externalId}-teams-user-id`,
    aadObjectId: `6a1b2c3d-0000-4000-8000-${hex}`,
    name,
    chat: `a:1personal-chat-${externalId}`,
  };
}

/** Links an employee to their Teams id, as an admin does (never by e-mail). */
export async function linkTeams(
  database: Database,
  externalId: string,
  platformUserId: string,
): Promise<void> {
  const [row] = await database.db
    .select({ id: employees.id })
    .from(employees)
    .where(eq(employees.externalId, externalId));
  if (!row) throw new Error(`no employee ${externalId}`);
  await database.db
    .insert(employeeIdentities)
    .values({ employeeId: row.id, platform: "teams", platformUserId })
    .onConflictDoUpdate({
      target: [employeeIdentities.employeeId, employeeIdentities.platform],
      set: { platformUserId },
    });
}

let sequence = 0;
/** A fresh activity id (Teams' message ids are millisecond timestamps). */
export const nextActivityId = () => `${1772410800000 + ++sequence}`;

/** A message from `user` in their 1:1 chat with the bot (any field overridden). */
export function personalMessage(
  fake: FakeBotConnector,
  user: TeamsUser,
  text: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return activity({
    id: nextActivityId(),
    serviceUrl: fake.serviceUrl,
    from: { id: user.userId, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { conversationType: "personal", tenantId, id: user.chat },
    recipient: { id: botId, name: "Baton" },
    locale: "en-US",
    text,
    ...overrides,
  });
}

/** A message mentioning the bot in a team channel (the thread's conversation id carries `;messageid=`). */
export function channelMessage(
  fake: FakeBotConnector,
  user: TeamsUser,
  channel: string,
  text: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const id = nextActivityId();
  return activity({
    id,
    serviceUrl: fake.serviceUrl,
    from: { id: user.userId, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { conversationType: "channel", tenantId, id: `${channel};messageid=${id}`, isGroup: true },
    recipient: { id: botId, name: "Baton" },
    locale: "en-US",
    text: `<at>Baton</at> ${text}`,
    entities: [{ type: "mention", text: "<at>Baton</at>", mentioned: { id: botId, name: "Baton" } }],
    channelData: {
      tenant: { id: tenantId },
      team: { id: "19:team-general@thread.tacv2" },
      channel: { id: channel },
    },
    ...overrides,
  });
}

/** A message mentioning the bot in a group chat (`19:…@thread.v2`). */
export function groupChatMessage(
  fake: FakeBotConnector,
  user: TeamsUser,
  chat: string,
  text: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return activity({
    id: nextActivityId(),
    serviceUrl: fake.serviceUrl,
    from: { id: user.userId, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { conversationType: "groupChat", tenantId, id: chat, isGroup: true },
    recipient: { id: botId, name: "Baton" },
    locale: "en-US",
    text: `<at>Baton</at> ${text}`,
    entities: [{ type: "mention", text: "<at>Baton</at>", mentioned: { id: botId, name: "Baton" } }],
    ...overrides,
  });
}

/** Posts an activity to `/webhooks/teams` as Teams does: JSON and a channel token signed by the fake's key. */
export async function postActivity(
  t: TestApp,
  fake: FakeBotConnector,
  body: Record<string, unknown>,
  options: { token?: string | null; tokenOptions?: Parameters<FakeBotConnector["token"]>[1] } = {},
): Promise<Response> {
  const token = options.token === undefined ? await fake.token(body, options.tokenOptions) : options.token;
  return t.request("/webhooks/teams", {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

export async function countOf(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const rows = await database.query<{ n: number | string }>(query);
  return Number(rows[0]?.n ?? 0);
}

/** Inbox rows of Teams chat events. */
export const teamsInboxRows = (database: Database) =>
  countOf(database, sql`select count(*) as n from inbox where source = 'chat:teams'`);
