import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { parseTeamsActivity } from "../../adapters/teams/index.ts";
import type { Database } from "../../db/client.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../fakes/bot-connector.ts";
import type { TestApp } from "../helpers/app.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import {
  appId,
  linkTeams,
  personalMessage,
  type TeamsUser,
  teamsInboxRows,
  teamsTestApp,
  teamsUser,
} from "../helpers/teams.ts";
import { seedPeople } from "../helpers/training.ts";
import { type ContractRequest, runSurfaceContract } from "./surface-contract.ts";

/**
 * Teams' run of the surface contract, through the whole app and botbuilder's real JWT check: the
 * fake holds the Bot Framework's signing keys (OpenID metadata + key set) and the Bot Connector the
 * bot replies to. Effects: the bot's inbox rows and the replies the connector received.
 */

let database: Database;
let fake: FakeBotConnector;
let t: TestApp;
const user: TeamsUser = teamsUser("E1", "林一");

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeBotConnector(appId);
});

afterAll(async () => {
  await fake.close();
});

const now = () => Math.floor(Date.now() / 1000);

async function signed(
  body: Record<string, unknown>,
  tokenOptions?: Parameters<FakeBotConnector["token"]>[1],
): Promise<ContractRequest> {
  const token = await fake.token(body, tokenOptions);
  return {
    path: "/webhooks/teams",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  };
}

const unsigned = (body: Record<string, unknown>, authorization?: string): ContractRequest => ({
  path: "/webhooks/teams",
  headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
  body: JSON.stringify(body),
});

runSurfaceContract({
  surface: "teams",
  async setup() {
    await resetDatabase(database);
    t = await teamsTestApp(database, fake);
    await seedPeople(t);
    await linkTeams(database, "E1", user.userId);
    fake.calls.length = 0;
  },
  send: (request) =>
    t.request(request.path, {
      method: request.method ?? "POST",
      headers: request.headers,
      body: request.body,
    }),
  async valid(id) {
    return signed(personalMessage(fake, user, "help", id ? { id } : {}));
  },
  async forged() {
    const body = personalMessage(fake, user, "help");
    const [header, payload] = (await fake.token(body)).split(".");
    const algNone = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    return [
      { name: "no Authorization header", request: unsigned(body), status: 401 },
      { name: "not a bearer token", request: unsigned(body, "Basic dXNlcjpwYXNz"), status: 401 },
      { name: "a token that is not a JWT", request: unsigned(body, "Bearer not-a-jwt"), status: 401 },
      { name: "alg none", request: unsigned(body, `Bearer ${algNone}`), status: 401 },
      {
        name: "header of one token, made-up signature",
        request: unsigned(body, `Bearer ${header}.${payload}.AAAA`),
        status: 401,
      },
      {
        name: "signed by a key the Bot Framework does not list",
        request: await signed(body, { forgedKey: true }),
        status: 401,
      },
      {
        name: "a key endorsed for another channel",
        request: await signed(body, { otherChannelKey: true }),
        status: 401,
      },
      {
        name: "for another bot (audience)",
        request: await signed(body, { audience: "00000000-0000-4000-8000-000000000000" }),
        status: 401,
      },
      {
        name: "another issuer",
        request: await signed(body, { issuer: "https://sts.example.com/" }),
        status: 401,
      },
      {
        name: "a serviceurl claim other than the activity's",
        request: await signed(body, { serviceUrl: "https://smba.trafficmanager.net/emea/" }),
        status: 401,
      },
      {
        name: "a valid token for one activity replayed with another serviceUrl",
        request: {
          ...(await signed(body)),
          body: JSON.stringify({ ...body, serviceUrl: "http://127.0.0.1:9/evil/" }),
        },
        status: 401,
      },
    ];
  },
  async stale() {
    // Expired beyond botbuilder's 5 minutes of clock tolerance.
    return signed(personalMessage(fake, user, "help"), { issuedAt: now() - 3600, expiresAt: now() - 600 });
  },
  async unknownEvent() {
    return signed(
      personalMessage(fake, user, "", {
        type: "messageReaction",
        text: undefined,
        reactionsAdded: [{ type: "like" }],
        replyToId: "1772410400000",
      }),
    );
  },
  async fixtures() {
    const dir = path.join(import.meta.dirname, "../fixtures/teams");
    return readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => {
        const fixture = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as {
          activity: Record<string, unknown>;
          expect: { kind: "events" | "ignored" };
        };
        return {
          name: file,
          request: {
            method: "POST",
            url: "https://baton.example.com/webhooks/teams",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(fixture.activity),
          },
          expect: fixture.expect.kind,
        };
      });
  },
  parse: (request) => parseTeamsActivity(JSON.parse(request.body), { now: new Date() }),
  async effects() {
    return (await teamsInboxRows(database)) + fake.calls.length;
  },
});
