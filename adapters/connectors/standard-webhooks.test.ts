import { describe, expect, it } from "vitest";
import { newWebhookSecret } from "../../test/fakes/connector-system.ts";
import { isWebhookSecret, signWebhook, verifyWebhook, WebhookSignatureError } from "./standard-webhooks.ts";

const secret = newWebhookSecret();
const at = new Date("2026-03-02T02:00:00Z");
const body = JSON.stringify({ type: "resignation.submitted", employeeExternalId: "E1" });

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookSignatureError) return error.reason;
    throw error;
  }
  return "verified";
};

describe("Standard Webhooks", () => {
  it("verifies what it signs, with the headers in any case", () => {
    const headers = signWebhook(secret, "msg_1", at, body);
    expect(verifyWebhook(secret, body, headers, at)).toEqual({ id: "msg_1", timestamp: at });
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(secret, body, upper, at).id).toBe("msg_1");
    expect(verifyWebhook(secret, body, new Headers(headers), at).id).toBe("msg_1");
  });

  it("matches the reference implementation's signature format (v1,base64)", () => {
    expect(signWebhook(secret, "msg_1", at, body)["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(signWebhook(secret, "msg_1", at, body)["webhook-timestamp"]).toBe(String(at.getTime() / 1000));
  });

  it("refuses a changed body, another secret, another id and missing headers", () => {
    const headers = signWebhook(secret, "msg_1", at, body);
    expect(failure(() => verifyWebhook(secret, `${body} `, headers, at))).toBe("bad_signature");
    expect(failure(() => verifyWebhook(newWebhookSecret(), body, headers, at))).toBe("bad_signature");
    expect(failure(() => verifyWebhook(secret, body, { ...headers, "webhook-id": "msg_2" }, at))).toBe(
      "bad_signature",
    );
    expect(failure(() => verifyWebhook(secret, body, { "webhook-id": "msg_1" }, at))).toBe("missing_headers");
    expect(failure(() => verifyWebhook(secret, body, { ...headers, "webhook-timestamp": "soon" }, at))).toBe(
      "bad_timestamp",
    );
  });

  it("allows 5 minutes of clock skew either way, no more", () => {
    const headers = signWebhook(secret, "msg_1", at, body);
    const plus = (s: number) => new Date(at.getTime() + s * 1000);
    expect(failure(() => verifyWebhook(secret, body, headers, plus(300)))).toBe("verified");
    expect(failure(() => verifyWebhook(secret, body, headers, plus(-300)))).toBe("verified");
    expect(failure(() => verifyWebhook(secret, body, headers, plus(301)))).toBe("stale");
    expect(failure(() => verifyWebhook(secret, body, headers, plus(-301)))).toBe("stale");
  });

  it("accepts any of several signatures (secret rotation)", () => {
    const old = newWebhookSecret();
    const headers = signWebhook(old, "msg_1", at, body);
    const both = `${signWebhook(secret, "msg_1", at, body)["webhook-signature"]} ${headers["webhook-signature"]}`;
    expect(verifyWebhook(old, body, { ...headers, "webhook-signature": both }, at).id).toBe("msg_1");
  });

  it("tells a real whsec_ secret from a wrong one", () => {
    expect(isWebhookSecret(secret)).toBe(true);
    expect(isWebhookSecret("whsec_c2hvcnQ=")).toBe(false);
    expect(isWebhookSecret("not-a-secret")).toBe(false);
  });
});
