import { describe, expect, it } from "vitest";
import { checkCharacter, validateIdNumber } from "./idNumber";

const today = new Date("2026-06-01T00:00:00Z");

describe("GB 11643 ID number check", () => {
  it("accepts the standard's sample and reads birth date and sex", () => {
    expect(validateIdNumber("11010519491231002X", today)).toEqual({ ok: true, info: { birthDate: "1949-12-31", sex: "FEMALE" } });
  });

  it("computes the check character (MOD 11-2), X for 10", () => {
    expect(checkCharacter("11010519491231002")).toBe("X");
    const first17 = "42062620150301001";
    const full = first17 + checkCharacter(first17);
    expect(validateIdNumber(full, today)).toMatchObject({ ok: true, info: { birthDate: "2015-03-01", sex: "MALE" } });
  });

  it("accepts a lower-case x and surrounding spaces", () => {
    expect(validateIdNumber(" 11010519491231002x ", today).ok).toBe(true);
  });

  it("names the expected check character when it is wrong", () => {
    const result = validateIdNumber("110105194912310021", today);
    expect(result).toEqual({ ok: false, message: "校验码不正确（按 GB 11643 应为 X）" });
  });

  it.each([
    ["4206262015030100", "18 位"],
    ["42062620150301001A", "18 位"],
    ["990626201503010010", "省级代码"],
    ["420626201502300010", "出生日期"],
    ["420626203001010010", "出生日期"],
  ])("rejects %s (%s)", (value, fragment) => {
    const result = validateIdNumber(value, today);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(fragment);
  });
});
