import { describe, expect, it } from "vitest";
import { constantTimeEqual, verifyWebRequest, type WebRequest } from "./verify.ts";

const options = { allowedOrigins: ["https://baton.example.com"] };
const session = { principal: "employee:E1", csrfToken: "csrf-token-value" };

function request(headers: Record<string, string>, body = "", withSession = true): WebRequest {
  return {
    method: "POST",
    url: "http://127.0.0.1:8787/webhooks/web",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
    ...(withSession ? { session } : {}),
  };
}

describe("web verify", () => {
  it("accepts a same-origin post with the session's CSRF token in the form, a header or JSON", () => {
    expect(
      verifyWebRequest(request({ origin: "https://baton.example.com" }, "_csrf=csrf-token-value"), options),
    ).toEqual({
      ok: true,
    });
    expect(
      verifyWebRequest(
        request({ origin: "http://127.0.0.1:8787", "x-csrf-token": "csrf-token-value" }),
        options,
      ).ok,
    ).toBe(true);
    expect(
      verifyWebRequest(
        request(
          { "content-type": "application/json", "sec-fetch-site": "same-origin" },
          '{"_csrf":"csrf-token-value"}',
        ),
        options,
      ).ok,
    ).toBe(true);
  });

  it("answers 401 without a session", () => {
    expect(verifyWebRequest(request({}, "_csrf=csrf-token-value", false), options)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("answers 403 to another origin, a cross-site fetch, and a missing or wrong CSRF token", () => {
    const good = "_csrf=csrf-token-value";
    expect(verifyWebRequest(request({ origin: "https://evil.example" }, good), options)).toMatchObject({
      status: 403,
    });
    expect(verifyWebRequest(request({ origin: "null" }, good), options)).toMatchObject({ status: 403 });
    expect(verifyWebRequest(request({ "sec-fetch-site": "cross-site" }, good), options)).toMatchObject({
      status: 403,
    });
    expect(verifyWebRequest(request({ "sec-fetch-site": "same-site" }, good), options)).toMatchObject({
      status: 403,
    });
    expect(verifyWebRequest(request({}), options)).toMatchObject({ status: 403 });
    expect(verifyWebRequest(request({}, "_csrf=csrf-token-valuf"), options)).toMatchObject({ status: 403 });
    expect(verifyWebRequest(request({ "x-csrf-token": "" }, good), options)).toMatchObject({ status: 403 });
  });

  it("decides a form post that says Origin: null (Referrer-Policy: no-referrer) by Sec-Fetch-Site", () => {
    const good = "_csrf=csrf-token-value";
    const opaque = { origin: "null" };
    expect(verifyWebRequest(request({ ...opaque, "sec-fetch-site": "same-origin" }, good), options)).toEqual({
      ok: true,
    });
    for (const site of ["cross-site", "same-site"]) {
      expect(verifyWebRequest(request({ ...opaque, "sec-fetch-site": site }, good), options)).toMatchObject({
        status: 403,
      });
    }
    expect(verifyWebRequest(request(opaque, good), options)).toMatchObject({ status: 403 });
  });

  it("compares in constant time by length", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
  });
});
