import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { manualClock, testKeyEnv } from "../../../test/helpers/app.ts";
import { loadConfig } from "../config.ts";
import { loadKeys } from "../keys.ts";
import { createLinkTokens, LinkTokenError } from "./tokens.ts";

async function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "baton-tokens-"));
  const config = loadConfig({
    BATON_DATA_DIR: path.join(dir, "d"),
    BATON_KEYS_DIR: path.join(dir, "k"),
    ...testKeyEnv(),
  });
  const keys = await loadKeys(config);
  const clock = manualClock();
  return { clock, keys, tokens: createLinkTokens({ keys, clock, publicUrl: "https://baton.example" }) };
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    return error instanceof LinkTokenError ? error.reason : `other: ${String(error)}`;
  }
}

describe("link tokens", () => {
  it("round-trips principal, purpose and data, and builds the /a/ URL", async () => {
    const { tokens } = await setup();
    const link = await tokens.issue({
      principal: "test:alice",
      purpose: "test.action",
      ttlSeconds: 60,
      data: { n: 1 },
    });
    expect(link.url).toBe(`https://baton.example/a/${link.token}`);
    const claims = await tokens.verify(link.token);
    expect(claims).toMatchObject({
      principal: "test:alice",
      purpose: "test.action",
      jti: link.jti,
      data: { n: 1 },
    });
  });

  it("refuses an expired token, and accepts it until the second it expires", async () => {
    const { tokens, clock } = await setup();
    const link = await tokens.issue({ principal: "test:alice", purpose: "login", ttlSeconds: 60 });
    clock.advance(59_000);
    expect(await reasonOf(tokens.verify(link.token))).toBe("accepted");
    clock.advance(1_000);
    expect(await reasonOf(tokens.verify(link.token))).toBe("expired");
  });

  it("refuses a token whose payload was changed, or signed by another key", async () => {
    const { tokens } = await setup();
    const other = await setup();
    const link = await tokens.issue({ principal: "test:alice", purpose: "login", ttlSeconds: 60 });
    const [header, payload, signature] = link.token.split(".") as [string, string, string];
    const forged = Buffer.from(
      Buffer.from(payload, "base64url").toString().replace("test:alice", "test:mallo"),
    ).toString("base64url");
    expect(await reasonOf(tokens.verify(`${header}.${forged}.${signature}`))).toBe("invalid");
    const foreign = await other.tokens.issue({ principal: "test:alice", purpose: "login", ttlSeconds: 60 });
    expect(await reasonOf(tokens.verify(foreign.token))).toBe("invalid");
    expect(await reasonOf(tokens.verify("garbage"))).toBe("invalid");
    expect(await reasonOf(tokens.verify("a".repeat(5000)))).toBe("invalid");
  });

  it("refuses an unsigned token (alg none)", async () => {
    const { tokens } = await setup();
    const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const token = `${enc({ alg: "none", typ: "baton-link+jwt" })}.${enc({ sub: "test:alice", pur: "login", jti: "x", exp: 9e9 })}.`;
    expect(await reasonOf(tokens.verify(`${token}AAAA`))).toBe("invalid");
  });

  it("checks what it signs", async () => {
    const { tokens } = await setup();
    await expect(tokens.issue({ principal: "nobody", purpose: "login", ttlSeconds: 60 })).rejects.toThrow(
      RangeError,
    );
    await expect(
      tokens.issue({ principal: "test:a", purpose: "Bad Purpose", ttlSeconds: 60 }),
    ).rejects.toThrow(RangeError);
    await expect(tokens.issue({ principal: "test:a", purpose: "login", ttlSeconds: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(tokens.issue({ principal: "test:a", purpose: "login", ttlSeconds: 99e6 })).rejects.toThrow(
      RangeError,
    );
  });
});
