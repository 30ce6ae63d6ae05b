import { describe, expect, it } from "vitest";
import { isVerificationId, maskName } from "./verification.ts";

describe("maskName", () => {
  it("keeps the first character of each word", () => {
    expect(maskName("张三丰")).toBe("张**");
    expect(maskName("张三")).toBe("张*");
    expect(maskName("John Doe")).toBe("J*** D**");
    expect(maskName("  Mary   Ann  Lee ")).toBe("M*** A** L**");
    expect(maskName("𠮷野家")).toBe("𠮷**");
  });

  it("masks a one-character name entirely and leaves nothing for an empty one", () => {
    expect(maskName("张")).toBe("*");
    expect(maskName("")).toBe("");
  });
});

describe("verification ids", () => {
  it("are 22 base64url characters (128 bits)", () => {
    expect(isVerificationId("AAAAAAAAAAAAAAAAAAAAAA")).toBe(true);
    expect(isVerificationId("AAAAAAAAAAAAAAAAAAAAA")).toBe(false);
    expect(isVerificationId("AAAAAAAAAAAAAAAAAAAAA=")).toBe(false);
    expect(isVerificationId("../../etc/passwd______")).toBe(false);
  });
});
