import { verifySlackRequest as boltVerifySlackRequest } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { signedSlackRequest, testSigningSecret } from "../../test/fakes/slack.ts";
import type { RawRequest } from "../shared/surface.ts";
import { slackSignature, verifySlackRequest, verifySlackSignature } from "./verify.ts";

// The worked example of Slack's "Verifying requests from Slack" page.
const documented = {
  signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body:
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V" +
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=" +
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN" +
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};
const documentedNow = new Date(Number(documented.timestamp) * 1000 + 30_000);

describe("Slack request signatures", () => {
  it("computes Slack's documented signature", () => {
    expect(slackSignature(documented.signingSecret, documented.timestamp, documented.body)).toBe(
      documented.signature,
    );
  });

  it("accepts the documented request, as Bolt's own verifier does", () => {
    expect(verifySlackSignature({ ...documented, now: documentedNow })).toEqual({ ok: true });
    expect(() =>
      boltVerifySlackRequest({
        signingSecret: documented.signingSecret,
        body: documented.body,
        nowMilliseconds: documentedNow.getTime(),
        headers: {
          "x-slack-signature": documented.signature,
          "x-slack-request-timestamp": Number(documented.timestamp),
        },
      }),
    ).not.toThrow();
  });

  it.each([
    [
      "a signature made with another secret",
      { signature: slackSignature("not-the-secret", documented.timestamp, documented.body) },
    ],
    ["a tampered body", { body: documented.body.replace("roadrunner", "coyote") }],
    ["a body with one byte more", { body: `${documented.body} ` }],
    ["a timestamp other than the signed one", { timestamp: String(Number(documented.timestamp) + 1) }],
    ["a signature in upper case", { signature: documented.signature.toUpperCase().replace("V0=", "v0=") }],
    ["a truncated signature", { signature: documented.signature.slice(0, -2) }],
    ["another version prefix", { signature: documented.signature.replace("v0=", "v1=") }],
    ["no signature", { signature: undefined }],
    ["no timestamp", { timestamp: undefined }],
    ["a timestamp that is not a number", { timestamp: "1531420618.5" }],
    ["no signing secret configured", { signingSecret: "" }],
  ])("refuses %s with 401", (_name, change) => {
    const result = verifySlackSignature({ ...documented, now: documentedNow, ...change });
    expect(result).toMatchObject({ ok: false, status: 401 });
  });

  it.each([
    ["5 minutes and 1 second old", -301],
    ["5 minutes and 1 second in the future (Bolt would accept it)", 301],
    ["a day old", -86_400],
  ])("refuses a request %s as stale", (_name, offsetSeconds) => {
    const timestamp = Number(documented.timestamp) + offsetSeconds;
    const result = verifySlackSignature({
      signingSecret: documented.signingSecret,
      body: documented.body,
      timestamp: String(timestamp),
      signature: slackSignature(documented.signingSecret, timestamp, documented.body),
      now: new Date(Number(documented.timestamp) * 1000),
    });
    expect(result).toEqual({ ok: false, status: 401, reason: "stale timestamp" });
  });

  it.each([-300, 0, 300])("accepts a validly signed request %i seconds off", (offsetSeconds) => {
    const timestamp = Number(documented.timestamp) + offsetSeconds;
    const result = verifySlackSignature({
      signingSecret: documented.signingSecret,
      body: documented.body,
      timestamp: String(timestamp),
      signature: slackSignature(documented.signingSecret, timestamp, documented.body),
      now: new Date(Number(documented.timestamp) * 1000),
    });
    expect(result).toEqual({ ok: true });
  });

  it("verifies a raw request with the headers as the route passes them", () => {
    const now = new Date("2026-03-02T01:15:00Z");
    const body = JSON.stringify({ type: "event_callback", event_id: "Ev1", text: "离职 <@U1>" });
    const request = signedSlackRequest({ body, contentType: "application/json", now });
    expect(verifySlackRequest(request, now, testSigningSecret)).toEqual({ ok: true });
    expect(verifySlackRequest(request, now, "another-secret")).toMatchObject({ ok: false, status: 401 });
    const tampered: RawRequest = { ...request, body: body.replace("U1", "U2") };
    expect(verifySlackRequest(tampered, now, testSigningSecret)).toMatchObject({
      ok: false,
      reason: "bad signature",
    });
    const stale = new Date(now.getTime() + 301_000);
    expect(verifySlackRequest(request, stale, testSigningSecret)).toMatchObject({
      reason: "stale timestamp",
    });
  });
});
