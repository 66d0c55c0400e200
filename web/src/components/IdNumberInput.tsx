import type { Rule } from "antd/es/form";
import { validateIdNumber } from "../lib/idNumber";

/** antd Form rule: the GB 11643 check while typing (the server re-checks and stays the authority). */
export const idNumberRule: Rule = {
  validator: async (_rule, value: string) => {
    if (!value) throw new Error("请输入身份证号");
    const result = validateIdNumber(value);
    if (!result.ok) throw new Error(result.message);
  },
};
