import { describe, expect, it } from "vitest";
import { CombinedError } from "urql";
import { payloadErrorMessage, requestErrorMessage, sessionSignal } from "./client";
import { metricLabel } from "./figures";
import { label } from "./labels";

describe("messages shown to a user", () => {
  it("never shows an English exception or a trace", () => {
    const crash = new CombinedError({ graphQLErrors: [{ message: "Traceback (most recent call last): KeyError 'x'" }] });
    expect(requestErrorMessage(crash)).toBe("请求未能完成，请稍后重试");
    expect(requestErrorMessage(new CombinedError({ networkError: new TypeError("Failed to fetch") }))).toBe("无法连接服务器，请检查网络后重试");
  });

  it("passes the server's Chinese message through", () => {
    expect(requestErrorMessage(new CombinedError({ graphQLErrors: [{ message: "查询层级过深" }] }))).toBe("查询层级过深");
    expect(requestErrorMessage(null)).toBeNull();
  });

  it("tells a lost session from an empty answer", () => {
    const signedOut = new CombinedError({ graphQLErrors: [{ message: "请先登录", extensions: { code: "UNAUTHENTICATED" } }] });
    expect(sessionSignal(signedOut)).toBe("UNAUTHENTICATED");
    const mustChange = new CombinedError({ graphQLErrors: [{ message: "须先修改密码", extensions: { code: "PASSWORD_CHANGE_REQUIRED" } }] });
    expect(sessionSignal(mustChange)).toBe("PASSWORD_CHANGE_REQUIRED");
    expect(sessionSignal(new CombinedError({ graphQLErrors: [{ message: "对象不存在或无权查看", extensions: { code: "NOT_FOUND" } }] }))).toBeNull();
    expect(sessionSignal(null)).toBeNull();
  });

  it("joins a payload's typed errors", () => {
    expect(payloadErrorMessage([{ code: "INVALID", field: "idNumber", message: "身份证号校验码不正确" }, { code: "X", message: "其他" }])).toBe("身份证号校验码不正确；其他");
    expect(payloadErrorMessage([])).toBeNull();
  });

  it("names report metrics in Chinese", () => {
    expect(metricLabel("wishes.fulfilled", label)).toBe("心愿圆梦");
    expect(metricLabel("children.category.LEFT_BEHIND", label)).toBe("儿童：留守儿童");
    expect(metricLabel("children.arrangement.GRANDPARENTS", label)).toBe("监护：祖父母/外祖父母");
    expect(metricLabel("wishes.claimed_value", label)).toBe("认领心愿价值（元）");
    expect(metricLabel("cases.referrals.SENT", label)).toBe("转介：已转介");
  });
});

describe("division names on the cross-system breakdown", () => {
  it("names a division by the place its bodies serve, not by its code", async () => {
    const { divisionName } = await import("./figures");
    expect(divisionName("420626", ["共青团保康县委", "保康县妇联"])).toBe("保康县");
    expect(divisionName("420626105", ["马良镇团委", "马良镇妇联"])).toBe("马良镇");
    expect(divisionName("320111104", ["石桥镇妇联"])).toBe("石桥镇");
    expect(divisionName("451229", [])).toBe("451229");
  });
});
