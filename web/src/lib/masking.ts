// Personal data arrives already masked by the server when the user lacks the PII permission (张*明,
// 4206**********123X, 139****5678). The client never unmasks anything; it only says which it is showing.

export function isMasked(value: string | null | undefined): boolean {
  return !!value && value.includes("*");
}

export type PiiDisplay = { text: string; masked: boolean; hint: string };

/** How to show one personal field of a row whose `piiVisible` the server reported. */
export function piiDisplay(value: string | null | undefined, piiVisible: boolean): PiiDisplay {
  const text = value && value.length ? value : "—";
  const masked = !piiVisible || isMasked(value);
  return { text, masked, hint: masked ? "已脱敏：无权查看个人信息" : "明文：本次查看已记入审计日志" };
}
