import { Alert, Tag, Tooltip } from "antd";
import type { CombinedError } from "urql";
import { requestErrorMessage } from "../lib/client";
import { piiDisplay } from "../lib/masking";

export function RequestError({ error }: { error?: CombinedError | null }) {
  const message = requestErrorMessage(error);
  return message ? <Alert type="error" showIcon message={message} style={{ marginBottom: 12 }} /> : null;
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

export const PAGE_SIZE = 20;
