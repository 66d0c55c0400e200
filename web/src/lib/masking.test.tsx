import { describe, expect, it } from "vitest";
import { render } from "@testing-library/react";
import { isMasked, piiDisplay } from "./masking";
import { Pii } from "../components/common";
import { jobPercent } from "../components/JobProgress";
import { percent } from "./figures";
import { label } from "./labels";

describe("masking display", () => {
  it("recognises the server's masks", () => {
    expect(isMasked("张*明")).toBe(true);
    expect(isMasked("4206**********123X")).toBe(true);
    expect(isMasked("张小明")).toBe(false);
    expect(isMasked("")).toBe(false);
  });

  it("marks a row masked without piiVisible, clear with it", () => {
    expect(piiDisplay("张*明", false)).toMatchObject({ text: "张*明", masked: true });
    expect(piiDisplay("张小明", true)).toMatchObject({ text: "张小明", masked: false });
    expect(piiDisplay("", true).text).toBe("—");
  });

  it("renders the value and says which it is", () => {
    const { container } = render(<><Pii value="139****5678" piiVisible={false} /><Pii value="13912345678" piiVisible /></>);
    const spans = container.querySelectorAll("[data-pii]");
    expect([...spans].map((s) => [s.textContent, s.getAttribute("data-pii")])).toEqual([
      ["139****5678", "masked"],
      ["13912345678", "clear"],
    ]);
  });
});

describe("small formatters", () => {
  it("job progress percent", () => {
    expect(jobPercent(0, null, "QUEUED")).toBe(0);
    expect(jobPercent(300, 600, "RUNNING")).toBe(50);
    expect(jobPercent(0, 0, "SUCCEEDED")).toBe(100);
  });

  it("fulfilment rate and enum labels from the schema", () => {
    expect(percent(0.5)).toBe("50.0%");
    expect(percent(null)).toBe("—");
    expect(label("WishState", "FULFILLED")).toBe("已圆梦");
    expect(label("Role", "STAFF")).toBe("工作人员");
  });
});
