import type React from "react";
import { Alert, App, Empty, Tag, Tooltip } from "antd";
import type { CombinedError } from "urql";
import { payloadErrorMessage, requestErrorMessage, type PayloadError } from "../lib/client";
import { piiDisplay } from "../lib/masking";

export function RequestError({ error }: { error?: CombinedError | null }) {
  const message = requestErrorMessage(error);
  return message ? <Alert type="error" showIcon message={message} style={{ marginBottom: 12 }} /> : null;
}

/** Reports a mutation's outcome: its payload's typed errors or the request's failure as a message (false), else
 * `ok` as a success message, if given (true). */
export function useReport() {
  const { message } = App.useApp();
  return (result: { error?: CombinedError }, payload: { errors: readonly PayloadError[] } | null | undefined, ok?: string): boolean => {
    const problem = payloadErrorMessage(payload?.errors) ?? requestErrorMessage(result.error);
    if (problem) {
      message.error(problem);
      return false;
    }
    if (ok) message.success(ok);
    return true;
  };
}

/** The empty state of a screen the actor's roles do not open: 无权查看, never 暂无数据. */
export function NoPermission() {
  return <Empty data-testid="no-permission" image={Empty.PRESENTED_IMAGE_SIMPLE} description="无权查看：您的角色不含此功能，如需使用请联系本组织管理员" />;
}

/** One personal field: the server's value, marked as masked or clear. */
export function Pii({ value, piiVisible }: { value?: string | null; piiVisible: boolean }) {
  const shown = piiDisplay(value, piiVisible);
  return (
    <Tooltip title={shown.hint}>
      <span data-pii={shown.masked ? "masked" : "clear"}>{shown.text}</span>
    </Tooltip>
  );
}

export function PiiTag({ piiVisible }: { piiVisible: boolean }) {
  return piiVisible ? <Tag color="orange">明文（已审计）</Tag> : <Tag>已脱敏</Tag>;
}

/** Enter or Space on a focused element runs `open` (what a click does), as a button would. */
export function onActivateKey(open: () => void) {
  return (e: React.KeyboardEvent) => {
    if (e.target !== e.currentTarget) return; // a control inside the row handles its own keys
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      open();
    }
  };
}

/** A clickable table row (antd `onRow`) that is also reachable by Tab and opened with Enter or Space. */
export function clickableRow(open: () => void) {
  return { onClick: open, onKeyDown: onActivateKey(open), tabIndex: 0, "data-clickable": "row", style: { cursor: "pointer" } };
}

/** A link-styled action that is not a navigation: focusable and activated by Enter or Space, unlike a bare <a>. */
export function ActionLink({ onClick, children, ...rest }: { onClick: () => void; children: React.ReactNode } & Omit<React.HTMLAttributes<HTMLAnchorElement>, "onClick">) {
  return <a role="button" tabIndex={0} onClick={onClick} onKeyDown={onActivateKey(onClick)} {...rest}>{children}</a>;
}
