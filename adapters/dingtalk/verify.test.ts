import { describe, expect, it } from "vitest";
import { robotMessage, signedDingTalkRequest, testAppSecret } from "../../test/fakes/dingtalk.ts";
import {
  dingtalkSign,
  dingtalkToleranceMs,
  signedRobotWebhookUrl,
  verifyDingTalkRequest,
  verifyDingTalkSignature,
} from "./verify.ts";

const timestamp = "1772413500000";
const now = new Date(Number(timestamp) + 30_000);
// printf '%s\n%s' "$t" "$secret" | openssl dgst -sha256 -hmac "$secret" -binary | base64
const expectedSign = "3m72aQkR4xBR/baA+k4JHHMXBgO/aBGW8cL+KSGjxlE=";

describe("DingTalk robot callback signatures", () => {
  it("computes Base64(HMAC-SHA256(secret, timestamp + \\n + secret)) (openssl vector)", () => {
    expect(dingtalkSign(testAppSecret, timestamp)).toBe(expectedSign);
  });

  it("accepts a valid pair and hands it back to be remembered for an hour", () => {
    expect(verifyDingTalkSignature({ appSecret: testAppSecret, timestamp, sign: expectedSign, now })).toEqual(
      {
        ok: true,
        timestamp,
        sign: expectedSign,
        replayKey: `${timestamp}:${expectedSign}`,
        rememberUntil: new Date(Number(timestamp) + 3_600_000),
      },
    );
  });

  it.each([
    ["a sign made with another secret", { sign: dingtalkSign("another-secret", timestamp) }, "bad sign"],
    [
      "a sign for another timestamp",
      { sign: dingtalkSign(testAppSecret, Number(timestamp) + 1) },
      "bad sign",
    ],
    ["a timestamp other than the signed one", { timestamp: String(Number(timestamp) - 1) }, "bad sign"],
    ["a truncated sign", { sign: expectedSign.slice(0, -4) }, "malformed sign"],
    ["a sign in URL encoding", { sign: encodeURIComponent(expectedSign) }, "malformed sign"],
    ["no sign", { sign: undefined }, "missing timestamp or sign"],
    ["no timestamp", { timestamp: undefined }, "missing timestamp or sign"],
    ["a timestamp that is not a number", { timestamp: "1772413500000.5" }, "malformed timestamp"],
    ["no app secret configured", { appSecret: "" }, "DINGTALK_APP_SECRET must be configured"],
  ])("refuses %s with 401", (_name, change, reason) => {
    const result = verifyDingTalkSignature({
      appSecret: testAppSecret,
      timestamp,
      sign: expectedSign,
      now,
      ...change,
    });
    expect(result).toEqual({ ok: false, status: 401, reason });
  });

  it.each([
    ["an hour and a millisecond old", -dingtalkToleranceMs - 1],
    ["an hour and a millisecond ahead", dingtalkToleranceMs + 1],
    ["a day old", -86_400_000],
  ])("refuses a validly signed callback %s as stale", (_name, offset) => {
    const t = String(Number(timestamp) + offset);
    const result = verifyDingTalkSignature({
      appSecret: testAppSecret,
      timestamp: t,
      sign: dingtalkSign(testAppSecret, t),
      now: new Date(Number(timestamp)),
    });
    expect(result).toEqual({ ok: false, status: 401, reason: "stale timestamp" });
  });

  it.each([-dingtalkToleranceMs, 0, dingtalkToleranceMs])(
    "accepts a validly signed callback %i ms off",
    (offset) => {
      const t = String(Number(timestamp) + offset);
      const result = verifyDingTalkSignature({
        appSecret: testAppSecret,
        timestamp: t,
        sign: dingtalkSign(testAppSecret, t),
        now: new Date(Number(timestamp)),
      });
      expect(result.ok).toBe(true);
    },
  );

  it("verifies a request by its headers; the sign does not cover the body", () => {
    const request = signedDingTalkRequest({ body: robotMessage(), now });
    const verified = verifyDingTalkRequest(request, now, testAppSecret);
    expect(verified).toMatchObject({ ok: true, timestamp: String(now.getTime()) });
    // Another body under the same pair verifies too: that is why the wiring refuses a pair seen before.
    const replayed = { ...request, body: JSON.stringify(robotMessage({ text: { content: "bind hr" } })) };
    expect(verifyDingTalkRequest(replayed, now, testAppSecret)).toEqual(verified);
    expect(verifyDingTalkRequest(request, now, "another-secret")).toMatchObject({ ok: false, status: 401 });
    expect(verifyDingTalkRequest(request, new Date(now.getTime() + 3_600_001), testAppSecret)).toMatchObject({
      reason: "stale timestamp",
    });
  });
});

describe("the custom group robot's signed webhook URL", () => {
  const secret = "SECb1f4e7a2c9d3f6e8a0b5c7d2e4f6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f";

  it("appends timestamp and the URL-encoded sign (openssl vector)", () => {
    const url = signedRobotWebhookUrl(
      "https://oapi.dingtalk.com/robot/send?access_token=ab12cd34",
      secret,
      new Date(Number(timestamp)),
    );
    // printf '%s\n%s' "$t" "$secret" | openssl dgst -sha256 -hmac "$secret" -binary | base64
    expect(url).toBe(
      `https://oapi.dingtalk.com/robot/send?access_token=ab12cd34&timestamp=${timestamp}&sign=${encodeURIComponent("JAnWj+A0eYFlmoW7vyhLC4CoVZfEljlRsjin7lH9pmI=")}`,
    );
    expect(url).toContain("sign=JAnWj%2BA0eYFlmoW7vyhLC4CoVZfEljlRsjin7lH9pmI%3D");
    expect(new URL(url).searchParams.get("sign")).toBe(dingtalkSign(secret, timestamp));
  });

  it("replaces an old timestamp and sign, and refuses a webhook that is not https", () => {
    const once = signedRobotWebhookUrl("https://oapi.dingtalk.com/robot/send?access_token=x", secret, now);
    const twice = signedRobotWebhookUrl(once, secret, new Date(now.getTime() + 1000));
    expect(new URL(twice).searchParams.getAll("timestamp")).toEqual([String(now.getTime() + 1000)]);
    expect(new URL(twice).searchParams.get("access_token")).toBe("x");
    expect(() =>
      signedRobotWebhookUrl("http://oapi.dingtalk.com/robot/send?access_token=x", secret, now),
    ).toThrow(/https/);
  });
});
