import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newDataKey, openField, sealField, unwrapDataKey } from "./sealing.ts";

const master = { kid: "aes-test", key: new Uint8Array(randomBytes(32)) };

describe("sealing personal data", () => {
  it("round-trips through a wrapped data key and never stores the plaintext", () => {
    const { key, kid, wrapped } = newDataKey(master, "emp-1");
    const sealed = sealField(key, kid, "emp-1", "idNumber", "310101199001011234");
    expect(JSON.stringify(sealed)).not.toContain("310101199001011234");
    const again = unwrapDataKey(master, "emp-1", wrapped);
    expect(openField(again, "emp-1", "idNumber", sealed)).toBe("310101199001011234");
  });

  it("refuses a value moved to another employee or field, or altered", () => {
    const { key, kid } = newDataKey(master, "emp-1");
    const sealed = sealField(key, kid, "emp-1", "idNumber", "310101199001011234");
    expect(() => openField(key, "emp-2", "idNumber", sealed)).toThrow();
    expect(() => openField(key, "emp-1", "bankAccount", sealed)).toThrow();
    const flipped = Buffer.from(sealed.ct, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() =>
      openField(key, "emp-1", "idNumber", { ...sealed, ct: flipped.toString("base64") }),
    ).toThrow();
  });

  it("cannot unwrap another employee's data key, or with another master key", () => {
    const { wrapped } = newDataKey(master, "emp-1");
    expect(() => unwrapDataKey(master, "emp-2", wrapped)).toThrow();
    expect(() =>
      unwrapDataKey({ kid: "x", key: new Uint8Array(randomBytes(32)) }, "emp-1", wrapped),
    ).toThrow();
  });
});
