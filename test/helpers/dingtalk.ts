import { configureDingTalk } from "../../adapters/http/dingtalk.ts";
import type { Database } from "../../db/client.ts";
import { signedDingTalkRequest, testAppSecret, testCorpId, testRobotCode } from "../fakes/dingtalk.ts";
import { type FakeDingTalkApi, fakeAppKey } from "../fakes/dingtalk-api.ts";
import { createTestApp, manualClock, type TestApp } from "./app.ts";

/** The DingTalk environment of a test app, against the fake servers. */
export function dingtalkEnv(fake: FakeDingTalkApi, corps = testCorpId): Record<string, string> {
  return {
    DINGTALK_APP_KEY: fakeAppKey,
    DINGTALK_APP_SECRET: testAppSecret,
    DINGTALK_ROBOT_CODE: testRobotCode,
    DINGTALK_API_URL: fake.origin,
    DINGTALK_CORP_IDS: corps,
  };
}

/**
 * A fetch that reaches only the loopback fake (a test never calls the real DingTalk); the custom
 * robot's `https://127.0.0.1` webhook is served by the plain-HTTP fake.
 */
export const loopbackFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== "127.0.0.1") return Promise.reject(new Error(`blocked in tests: ${url.origin}`));
  if (url.protocol === "https:") url.protocol = "http:";
  return fetch(url, init);
};

export type DingTalkTestApp = TestApp & {
  clock: ReturnType<typeof manualClock>;
  /** A robot callback signed now (or at `timestamp`) through the whole app. */
  dingtalk(body: unknown, options?: { timestamp?: number; secret?: string }): Promise<Response>;
  /** GET and POST of a signed link page (`/a/:token`), with an optional session cookie. */
  linkPage(url: string, form?: Record<string, string>, cookie?: string): Promise<Response>;
};

export async function createDingTalkTestApp(
  database: Database,
  fake: FakeDingTalkApi,
  options: { env?: Record<string, string>; start?: Date } = {},
): Promise<DingTalkTestApp> {
  const clock = manualClock(options.start);
  const t = await createTestApp(database, { env: { ...dingtalkEnv(fake), ...options.env }, clock });
  configureDingTalk(t.config, { fetch: loopbackFetch });
  fake.setNow(() => clock.now().getTime());
  return {
    ...t,
    clock,
    async dingtalk(body, signing = {}) {
      const request = signedDingTalkRequest({ body, now: clock.now(), ...signing });
      return t.request("/webhooks/dingtalk", {
        method: "POST",
        headers: request.headers,
        body: request.body,
      });
    },
    async linkPage(url, form, cookie) {
      const path = new URL(url).pathname;
      const headers: Record<string, string> = { "accept-language": "en", ...(cookie ? { cookie } : {}) };
      if (!form) return t.request(path, { headers });
      return t.request(path, {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/x-www-form-urlencoded",
          origin: "http://127.0.0.1:8787",
        },
        body: new URLSearchParams(form).toString(),
      });
    },
  };
}

/** A `dingtalk://…&url=<link>` button URL → the link inside it. */
export function unwrapLink(url: string): string {
  if (!url.startsWith("dingtalk://")) return url;
  return new URL(url).searchParams.get("url") ?? url;
}
