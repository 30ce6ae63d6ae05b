import { describe, expect, it } from "vitest";
import { AppError } from "../../core/errors.ts";
import {
  escapeRegExp,
  isObject,
  mediaType,
  obj,
  parseJson,
  parseJsonOrUndefined,
  str,
  urlVerification,
} from "./json.ts";

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("platform JSON helpers", () => {
  it("narrows objects and non-empty strings", () => {
    expect(isObject({ a: 1 })).toBe(true);
    expect([null, [], "x", 1, undefined].map(isObject)).toEqual([false, false, false, false, false]);
    expect(obj([1])).toEqual({});
    expect(obj({ a: 1 })).toEqual({ a: 1 });
    expect(str("")).toBeUndefined();
    expect(str(1)).toBeUndefined();
    expect(str("a")).toBe("a");
  });

  it("answers malformed JSON with a 400 AppError that names the part", () => {
    expect(parseJson('{"a":1}', "body")).toEqual({ a: 1 });
    const error = thrown(() => parseJson("{", "payload"));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("bad_request");
    expect((error as AppError).message).toBe("payload is not valid JSON");
    expect(parseJsonOrUndefined("{")).toBeUndefined();
    expect(parseJsonOrUndefined("[1]")).toEqual([1]);
  });

  it("echoes a url_verification challenge and refuses one without", () => {
    expect(urlVerification({ type: "url_verification", challenge: "c1" })).toEqual({
      kind: "handshake",
      status: 200,
      body: { challenge: "c1" },
    });
    const error = thrown(() => urlVerification({ type: "url_verification" }));
    expect((error as AppError).code).toBe("bad_request");
  });

  it("reads the media type and escapes regular expressions", () => {
    expect(mediaType({ headers: { "content-type": " Application/JSON ; charset=utf-8" } })).toBe(
      "application/json",
    );
    expect(mediaType({ headers: {} })).toBe("");
    expect(new RegExp(escapeRegExp("@_user_1 (a.b)*")).test("x @_user_1 (a.b)* y")).toBe(true);
    expect(new RegExp(escapeRegExp("a.b")).test("axb")).toBe(false);
  });
});
