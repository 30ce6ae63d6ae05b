import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll } from "vitest";
import { parseWebRequest, type WebRequest } from "../../adapters/web/index.ts";
import type { InboundEvent } from "../../bots/events.ts";
import { help } from "../../cards/templates/general.ts";
import { translate } from "../../core/messages/index.ts";
import type { Database } from "../../db/client.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { adminToken, login, origin, type Session, seedPeople } from "../helpers/training.ts";
import { type ContractRequest, runSurfaceContract } from "./surface-contract.ts";

/** The web chat's run of the surface contract: a session cookie and CSRF token instead of a signature. */

let database: Database;
let t: TestApp;
let session: Session;
let botCalls: InboundEvent[];

beforeAll(async () => {
  database = await testDatabase();
});

const principal = "employee:E1";

function post(fields: Record<string, string>, headers: Record<string, string> = {}): ContractRequest {
  return {
    path: "/webhooks/web",
    headers: {
      ...origin,
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  };
}

const message = (key: string, csrf: string) => ({ _csrf: csrf, key, type: "message", text: "hello" });

runSurfaceContract({
  surface: "web",
  async setup() {
    await resetDatabase(database);
    t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken } });
    await seedPeople(t);
    session = await login(t, principal);
    botCalls = [];
    t.services.bot = {
      async receive(event) {
        botCalls.push(event);
        return {
          duplicate: false,
          replies: [{ type: "reply", card: help({ roles: ["employee"] }, { locale: "en", t: translate }) }],
        };
      },
    };
  },
  send: (request) =>
    t.request(request.path, {
      method: request.method ?? "POST",
      headers: request.headers,
      body: request.body,
    }),
  async valid(id) {
    return post(message(id ?? randomUUID(), session.csrf), { cookie: session.cookie });
  },
  async forged() {
    const ended = await login(t, principal);
    await t.request("/logout", {
      method: "POST",
      headers: { ...origin, cookie: ended.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: ended.csrf }).toString(),
    });
    const key = randomUUID();
    const forgedCookie = `baton_session=${randomBytes(32).toString("base64url")}`;
    return [
      { name: "no session", request: post(message(key, session.csrf)), status: 401 },
      {
        name: "a made-up session cookie",
        request: post(message(key, session.csrf), { cookie: forgedCookie }),
        status: 401,
      },
      {
        name: "an ended session",
        request: post(message(key, ended.csrf), { cookie: ended.cookie }),
        status: 401,
      },
      {
        name: "no CSRF token",
        request: post({ key, type: "message", text: "x" }, { cookie: session.cookie }),
        status: 403,
      },
      {
        name: "a wrong CSRF token",
        request: post(message(key, `${session.csrf.slice(0, -2)}xx`), { cookie: session.cookie }),
        status: 403,
      },
      {
        name: "another session's CSRF token",
        request: post(message(key, ended.csrf), { cookie: session.cookie }),
        status: 403,
      },
      {
        name: "a cross-origin post",
        request: post(message(key, session.csrf), { cookie: session.cookie, origin: "https://evil.example" }),
        status: 403,
      },
      {
        name: "a cross-site fetch without Origin",
        request: (() => {
          const r = post(message(key, session.csrf), {
            cookie: session.cookie,
            "sec-fetch-site": "cross-site",
          });
          delete r.headers.origin;
          return r;
        })(),
        status: 403,
      },
    ];
  },
  async unknownEvent() {
    return post(
      { _csrf: session.csrf, key: randomUUID(), type: "reaction", emoji: "+1" },
      { cookie: session.cookie },
    );
  },
  async fixtures() {
    const dir = path.join(import.meta.dirname, "../fixtures/web");
    return readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => ({
        name: file,
        request: JSON.parse(readFileSync(path.join(dir, file), "utf8")) as WebRequest,
        expect: file.startsWith("ignored-") ? ("ignored" as const) : ("events" as const),
      }));
  },
  parse: (request) =>
    parseWebRequest({ ...request, session: { principal, csrfToken: "TOKEN" }, receivedAt: new Date() }),
  async effects() {
    const [row] = await database.query<{ n: number | string }>(
      sql`select count(*) as n from web_messages where principal = ${principal}`,
    );
    return botCalls.length + Number(row?.n ?? 0);
  },
});
