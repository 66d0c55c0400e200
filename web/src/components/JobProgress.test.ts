import { describe, expect, it } from "vitest";
import { resultExpired } from "./JobProgress";

describe("resultExpired", () => {
  it("is a succeeded job whose result link the server no longer gives (deleted an hour after it finished)", () => {
    expect(resultExpired({ state: "SUCCEEDED", resultUrl: null })).toBe(true);
    expect(resultExpired({ state: "SUCCEEDED", resultUrl: "/jobs/1/result/?sig=x" })).toBe(false);
    expect(resultExpired({ state: "FAILED", resultUrl: null })).toBe(false);
    expect(resultExpired({ state: "RUNNING", resultUrl: null })).toBe(false);
  });
});
