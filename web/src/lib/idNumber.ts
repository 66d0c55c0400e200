// GB 11643-1999 citizen identity numbers: 17 digits and a check character (ISO 7064 MOD 11-2). This mirrors
// the server's check for feedback while typing; the server stays the authority (it also knows the regions).

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
  61, 62, 63, 64, 65, 71, 81, 82, 91,
]);

export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export interface IdNumberInfo {
  birthDate: string; // YYYY-MM-DD
  sex: "MALE" | "FEMALE";
}

export type IdNumberResult = { ok: true; info: IdNumberInfo } | { ok: false; message: string };

/** Checks an ID number; `today` is injectable for tests. Messages are the user's, in Chinese. */
export function validateIdNumber(raw: string, today: Date = new Date()): IdNumberResult {
  const value = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, message: "身份证号应为 18 位：17 位数字加 1 位校验码（数字或 X）" };
  if (!PROVINCES.has(Number(value.slice(0, 2)))) return { ok: false, message: "身份证号前两位不是有效的省级代码" };
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!valid || year < 1900 || date.getTime() > today.getTime()) return { ok: false, message: "身份证号中的出生日期无效" };
  const expected = checkCharacter(value.slice(0, 17));
  if (value[17] !== expected) return { ok: false, message: `校验码不正确（按 GB 11643 应为 ${expected}）` };
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    ok: true,
    info: { birthDate: `${year}-${pad(month)}-${pad(day)}`, sex: Number(value[16]) % 2 === 1 ? "MALE" : "FEMALE" },
  };
}
