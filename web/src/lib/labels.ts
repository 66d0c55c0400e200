import { enumLabels } from "../gql/enumLabels";

/** The Chinese label of an enum value, as the schema describes it. */
export function label(enumName: string, value: string | null | undefined): string {
  if (!value) return "—";
  return enumLabels[enumName]?.[value] ?? value;
}

/** antd Select options for an enum. */
export function enumOptions(enumName: string): { value: string; label: string }[] {
  return Object.entries(enumLabels[enumName] ?? {}).map(([value, text]) => ({ value, label: text }));
}
