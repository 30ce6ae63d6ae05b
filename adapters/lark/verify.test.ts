import { AESCipher, EventDispatcher, generateChallenge } from "@larksuiteoapi/node-sdk";
import { describe, expect, it } from "vitest";
import { isAppError } from "../../core/errors.ts";
import {
  envelope,
  signedLarkRequest,
  testEncryptKey,
  testSecrets,
  testVerificationToken,
} from "../../test/fakes/lark.ts";
import type { RawRequest } from "../shared/surface.ts";
import {
  decryptLark,
  encryptLark,
  larkMaxAgeSeconds,
  larkSignature,
  openLarkBody,
  verifyLarkRequest,
} from "./verify.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const quiet = () => undefined;
/** The SDK's dispatcher, without its console logging. */
const sdkDispatcher = () =>
  new EventDispatcher({
    ...testSecrets,
    logger: { error: quiet, warn: quiet, info: quiet, debug: quiet, trace: quiet },
  });
const nowSeconds = Math.floor(now.getTime() / 1000);

const message = envelope("im.message.receive_v1", {
  sender: { sender_id: { open_id: "ou_1" }, sender_type: "user", tenant_key: "2ed263bf32cf1651" },
  message: {
    message_id: "om_1",
    chat_id: "oc_1",
    chat_type: "p2p",
    message_type: "text",
    content: JSON.stringify({ text: "离职" }),
    create_time: "1772414100000",
  },
});

describe("Lark body encryption", () => {
  it("decrypts the example of Lark's encryption docs, as the SDK's AESCipher does", () => {
    const documented = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=";
    expect(decryptLark(documented, "test key")).toBe("hello world");
    expect(new AESCipher("test key").decrypt(documented)).toBe("hello world");
  });

  it("encrypts so that the SDK decrypts it (random IV each time)", () => {
    const plain = JSON.stringify({ challenge: "c1", token: "t", type: "url_verification", 名: "离职" });
    const a = encryptLark(plain, testEncryptKey);
    const b = encryptLark(plain, testEncryptKey);
    expect(a).not.toBe(b);
    expect(new AESCipher(testEncryptKey).decrypt(a)).toBe(plain);
    expect(decryptLark(b, testEncryptKey)).toBe(plain);
  });

  it.each([
    ["another key", () => decryptLark(encryptLark("{}", testEncryptKey), "another key")],
    ["no base64", () => decryptLark("not base64!", testEncryptKey)],
    ["a truncated value", () => decryptLark(encryptLark("{}", testEncryptKey).slice(0, 20), testEncryptKey)],
    ["only an IV", () => decryptLark(Buffer.alloc(16).toString("base64"), testEncryptKey)],
  ])("refuses %s", (_name, run) => {
    // A wrong key fails the padding check (or, rarely, yields bytes that are not our JSON).
    expect(() => JSON.parse(run())).toThrow();
  });
});

describe("Lark request signatures", () => {
  it("computes the signature as plain SHA-256 of timestamp + nonce + key + body (openssl vector)", () => {
    const body = '{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}';
    // printf '%s' "$ts$nonce$key$body" | openssl dgst -sha256
    expect(larkSignature(1772414100, "1839403562", testEncryptKey, body)).toBe(
      "c6d11ba0a8c64e4c4c65d04468ef00d760bdb9ed7111a68a195d1a6be02c6396",
    );
  });

  it("accepts a signed, encrypted event and hands over the decrypted payload", () => {
    const request = signedLarkRequest({ payload: message, now });
    const result = verifyLarkRequest(request, now, testSecrets);
    expect(result).toEqual({ ok: true, payload: message, handshake: false, signed: true });
  });

  it("accepts what the SDK's own dispatcher accepts, and the SDK accepts our signed requests", async () => {
    const request = signedLarkRequest({ payload: message, now });
    const dispatcher = sdkDispatcher().register({
      "im.message.receive_v1": async (data) => data.message.message_id,
    });
    const sdkData = (r: RawRequest) =>
      Object.assign(Object.create({ headers: r.headers }), JSON.parse(r.body));
    expect(await dispatcher.invoke(sdkData(request))).toBe("om_1");
    expect(verifyLarkRequest(request, now, testSecrets).ok).toBe(true);
    const forged = { ...request, headers: { ...request.headers, "x-lark-signature": "0".repeat(64) } };
    expect(await dispatcher.invoke(sdkData(forged))).toBeUndefined();
    expect(verifyLarkRequest(forged, now, testSecrets)).toMatchObject({ ok: false, status: 401 });
  });

  it("verifies the raw bytes, where the SDK hashes re-serialised JSON", async () => {
    // Lark signs the compact body; a pretty-printed copy still passes the SDK, not us.
    const request = signedLarkRequest({ payload: message, now });
    const pretty = { ...request, body: JSON.stringify(JSON.parse(request.body), null, 2) };
    const dispatcher = sdkDispatcher().register({
      "im.message.receive_v1": async () => "handled",
    });
    expect(
      await dispatcher.invoke(
        Object.assign(Object.create({ headers: pretty.headers }), JSON.parse(pretty.body)),
      ),
    ).toBe("handled");
    expect(verifyLarkRequest(pretty, now, testSecrets)).toEqual({
      ok: false,
      status: 401,
      reason: "bad signature",
    });
  });

  it.each<[string, (r: RawRequest) => RawRequest, string]>([
    [
      "a signature made with another key",
      (r) => ({
        ...r,
        headers: {
          ...r.headers,
          "x-lark-signature": larkSignature(
            r.headers["x-lark-request-timestamp"]!,
            r.headers["x-lark-request-nonce"]!,
            "another key",
            r.body,
          ),
        },
      }),
      "bad signature",
    ],
    ["a tampered body", (r) => ({ ...r, body: r.body.replace(/.{4}"}$/, 'AAAA"}') }), "bad signature"],
    ["a body with one byte more", (r) => ({ ...r, body: `${r.body} ` }), "bad signature"],
    [
      "another nonce",
      (r) => ({ ...r, headers: { ...r.headers, "x-lark-request-nonce": "1839403563" } }),
      "bad signature",
    ],
    [
      "a timestamp other than the signed one",
      (r) => ({ ...r, headers: { ...r.headers, "x-lark-request-timestamp": String(nowSeconds - 1) } }),
      "bad signature",
    ],
    [
      "a signature in upper case",
      (r) => ({
        ...r,
        headers: { ...r.headers, "x-lark-signature": r.headers["x-lark-signature"]!.toUpperCase() },
      }),
      "malformed signature",
    ],
    [
      "a timestamp that is not a number",
      (r) => ({ ...r, headers: { ...r.headers, "x-lark-request-timestamp": "1772414100.5" } }),
      "malformed timestamp",
    ],
    [
      "a missing nonce",
      (r) => {
        const { "x-lark-request-nonce": _n, ...headers } = r.headers;
        return { ...r, headers };
      },
      "missing signature headers",
    ],
  ])("refuses %s with 401", (_name, change, reason) => {
    const result = verifyLarkRequest(change(signedLarkRequest({ payload: message, now })), now, testSecrets);
    expect(result).toEqual({ ok: false, status: 401, reason });
  });

  it.each([
    ["8 hours and 1 second old", -larkMaxAgeSeconds - 1, "stale timestamp"],
    ["a day old", -86_400, "stale timestamp"],
    ["5 minutes and 1 second ahead", 301, "timestamp in the future"],
  ])("refuses a validly signed request %s", (_name, offset, reason) => {
    const request = signedLarkRequest({ payload: message, now, timestamp: nowSeconds + offset });
    expect(verifyLarkRequest(request, now, testSecrets)).toEqual({ ok: false, status: 401, reason });
  });

  it.each([
    ["just sent", 0],
    ["7 h 59 min old (Lark's last retry after ~7.1 h)", -(8 * 3600 - 60)],
    ["exactly 8 hours old", -larkMaxAgeSeconds],
    ["5 minutes ahead", 300],
  ])("accepts a validly signed request %s", (_name, offset) => {
    const request = signedLarkRequest({ payload: message, now, timestamp: nowSeconds + offset });
    expect(verifyLarkRequest(request, now, testSecrets).ok).toBe(true);
  });

  it("refuses a correctly signed body whose verification token is wrong or missing", () => {
    const wrong = { ...message, header: { ...(message.header as object), token: "not-our-token" } };
    expect(verifyLarkRequest(signedLarkRequest({ payload: wrong, now }), now, testSecrets)).toEqual({
      ok: false,
      status: 401,
      reason: "wrong verification token",
    });
    const { token: _t, ...headerWithout } = message.header as Record<string, unknown>;
    const missing = { ...message, header: headerWithout };
    expect(verifyLarkRequest(signedLarkRequest({ payload: missing, now }), now, testSecrets)).toMatchObject({
      reason: "wrong verification token",
    });
    // The v1 envelope carries its token at the top.
    const v1 = { uuid: "u1", token: testVerificationToken, ts: "1", type: "event_callback", event: {} };
    expect(verifyLarkRequest(signedLarkRequest({ payload: v1, now }), now, testSecrets).ok).toBe(true);
  });

  it("accepts a signed plaintext body too (the signature covers it)", () => {
    const request = signedLarkRequest({ payload: message, now, encrypt: false });
    expect(verifyLarkRequest(request, now, testSecrets)).toMatchObject({ ok: true, payload: message });
  });

  it("refuses everything when the secrets are not configured", () => {
    const request = signedLarkRequest({ payload: message, now });
    expect(
      verifyLarkRequest(request, now, { encryptKey: "", verificationToken: testVerificationToken }),
    ).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(
      verifyLarkRequest(request, now, { encryptKey: testEncryptKey, verificationToken: "" }),
    ).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("answers a correctly signed body that cannot be read with a 400, not a crash", () => {
    const body = JSON.stringify({ encrypt: encryptLark("not json", testEncryptKey) });
    const timestamp = String(nowSeconds);
    const request: RawRequest = {
      method: "POST",
      url: "https://baton.example.com/webhooks/lark",
      headers: {
        "x-lark-request-timestamp": timestamp,
        "x-lark-request-nonce": "1",
        "x-lark-signature": larkSignature(timestamp, "1", testEncryptKey, body),
      },
      body,
    };
    let error: unknown;
    try {
      verifyLarkRequest(request, now, testSecrets);
    } catch (e) {
      error = e;
    }
    expect(isAppError(error) && error.code).toBe("bad_request");
  });
});

describe("the URL-verification challenge (sent without signature headers)", () => {
  const challenge = { challenge: "ajls384kdjx98XX", token: testVerificationToken, type: "url_verification" };

  it("is accepted encrypted with the right token, and the SDK reads the same challenge", () => {
    const request = signedLarkRequest({ payload: challenge, now, unsigned: true });
    expect(request.headers["x-lark-signature"]).toBeUndefined();
    expect(verifyLarkRequest(request, now, testSecrets)).toEqual({
      ok: true,
      payload: challenge,
      handshake: true,
      signed: false,
    });
    const sdk = generateChallenge(JSON.parse(request.body), { encryptKey: testEncryptKey });
    expect(sdk).toEqual({ isChallenge: true, challenge: { challenge: challenge.challenge } });
  });

  it("is accepted in plaintext with the right token", () => {
    const request = signedLarkRequest({ payload: challenge, now, unsigned: true, encrypt: false });
    expect(verifyLarkRequest(request, now, testSecrets)).toMatchObject({ ok: true, handshake: true });
  });

  it.each([
    ["a wrong token", { ...challenge, token: "guess" }, true],
    ["no token", { challenge: "x", type: "url_verification" }, true],
    ["a wrong token in plaintext", { ...challenge, token: "guess" }, false],
  ])("is refused with %s (the SDK's generateChallenge would not check)", (_name, payload, encrypt) => {
    const request = signedLarkRequest({ payload, now, unsigned: true, encrypt });
    expect(verifyLarkRequest(request, now, testSecrets)).toEqual({
      ok: false,
      status: 401,
      reason: "wrong verification token",
    });
  });

  it("is refused encrypted with another key", () => {
    const request = signedLarkRequest({ payload: challenge, now, unsigned: true, encryptKey: "another key" });
    expect(verifyLarkRequest(request, now, testSecrets)).toMatchObject({ ok: false, status: 401 });
  });

  it("does not let any other unsigned body through, even with the right token", () => {
    for (const request of [
      signedLarkRequest({ payload: message, now, unsigned: true }),
      signedLarkRequest({ payload: message, now, unsigned: true, encrypt: false }),
      { ...signedLarkRequest({ payload: message, now, unsigned: true }), body: "not json" },
    ]) {
      expect(verifyLarkRequest(request, now, testSecrets)).toEqual({
        ok: false,
        status: 401,
        reason: "missing signature headers",
      });
    }
  });

  it("opens bodies with and without encryption", () => {
    expect(openLarkBody(JSON.stringify(challenge), testEncryptKey)).toEqual(challenge);
    expect(() => openLarkBody("[]", testEncryptKey)).toThrow();
  });
});
