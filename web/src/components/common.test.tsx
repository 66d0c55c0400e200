import { describe, expect, it, vi } from "vitest";
import { fireEvent, render } from "@testing-library/react";
import { ActionLink, clickableRow } from "./common";

describe("keyboard activation", () => {
  it("an ActionLink is focusable and runs on Enter and Space, not on other keys", () => {
    const open = vi.fn();
    const { getByRole } = render(<ActionLink onClick={open}>查看</ActionLink>);
    const link = getByRole("button", { name: "查看" });
    expect(link.getAttribute("tabindex")).toBe("0");
    fireEvent.keyDown(link, { key: "Enter" });
    fireEvent.keyDown(link, { key: " " });
    fireEvent.keyDown(link, { key: "a" });
    expect(open).toHaveBeenCalledTimes(2);
  });

  it("a clickable row opens on Enter but leaves keys inside its controls alone", () => {
    const open = vi.fn();
    const { container } = render(
      <table><tbody><tr {...clickableRow(open)}><td><input aria-label="inner" /></td></tr></tbody></table>,
    );
    const row = container.querySelector("tr")!;
    expect(row.tabIndex).toBe(0);
    fireEvent.keyDown(container.querySelector("input")!, { key: "Enter" });
    expect(open).not.toHaveBeenCalled();
    fireEvent.keyDown(row, { key: "Enter" });
    fireEvent.click(row);
    expect(open).toHaveBeenCalledTimes(2);
  });
});
