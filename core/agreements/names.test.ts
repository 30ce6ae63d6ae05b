import { describe, expect, it } from "vitest";
import { normaliseName, sameName } from "./names.ts";

describe("typed names", () => {
  it("match the directory name across widths, spaces and case", () => {
    expect(sameName("张三丰", "张三丰")).toBe(true);
    expect(sameName(" 张 三丰 ", "张三丰")).toBe(true);
    expect(sameName("张\u3000三丰", "张三丰")).toBe(true);
    expect(sameName("ｅｍｉｌｙ　ｃｈｅｎ", "Emily Chen")).toBe(true);
    expect(sameName("Emily   Chen", "Emily Chen")).toBe(true);
    expect(sameName("阿依古丽·买买提", "阿依古丽·买买提")).toBe(true);
  });

  it("do not match another name, a part of it, or nothing", () => {
    expect(sameName("张三", "张三丰")).toBe(false);
    expect(sameName("EmilyChen", "Emily Chen")).toBe(false);
    expect(sameName("Emily Chen.", "Emily Chen")).toBe(false);
    expect(sameName("", "")).toBe(false);
    expect(sameName("   ", " ")).toBe(false);
    expect(normaliseName(" Ｊｏｈｎ  Ｄｏｅ ")).toBe("john doe");
  });
});
