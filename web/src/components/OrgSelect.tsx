import { useState } from "react";
import { Select } from "antd";
import { useQuery } from "urql";
import { OrganizationDescendantsDocument, OrganizationDetailDocument, type OrganizationFilter } from "../gql/graphql";
import { useSession } from "../lib/session";

type Option = { value: string; label: string };

/** Up to 30 organizations below the current one whose name contains `text` (and the current one itself), narrowed
 * by `filters` (e.g. units only: then the current one is not offered). */
function useOrgMatches(text: string, includeCurrent: boolean, filters?: OrganizationFilter, pause = false): Option[] {
  const session = useSession();
  const current = session.current?.organization;
  const [{ data }] = useQuery({
    query: OrganizationDescendantsDocument,
    variables: { id: current?.id ?? "", first: 30, filters: { ...filters, ...(text ? { nameContains: text } : {}) } }, pause: !current || pause,
  });
  return [
    ...(includeCurrent && !filters && current && (!text || current.name.includes(text)) ? [{ value: current.id, label: current.name }] : []),
    ...(data?.organization?.descendants.edges.map(({ node }) => ({ value: node.id, label: `${node.name}（${node.parent?.name ?? ""}）` })) ?? []),
  ];
}

/** The current organization or one below it, searched by name on the server (a county has hundreds). The chosen
 * one keeps its name even when it is not among the current matches (e.g. read back from the URL). */
export function OrgSelect(props: { value?: string; onChange?: (id: string) => void; allowClear?: boolean; placeholder?: string; style?: React.CSSProperties; filters?: OrganizationFilter }) {
  const [text, setText] = useState("");
  const found = useOrgMatches(text, true, props.filters);
  const missing = !!props.value && !found.some((o) => o.value === props.value);
  const [{ data: chosen }] = useQuery({ query: OrganizationDetailDocument, variables: { id: props.value ?? "", first: 0 }, pause: !missing });
  const options = missing && chosen?.organization ? [{ value: chosen.organization.id, label: chosen.organization.name }, ...found] : found;
  return (
    <Select
      showSearch
      filterOption={false}
      onSearch={setText}
      onDropdownVisibleChange={(open) => !open && setText("")}
      options={options}
      style={{ minWidth: 200, ...props.style }}
      value={missing && !chosen?.organization ? undefined : props.value}
      onChange={props.onChange}
      allowClear={props.allowClear}
      placeholder={props.placeholder ?? "选择组织"}
    />
  );
}

/** Several organizations below the current one, searched by name on the server like OrgSelect; the chosen ones
 * keep their names while other matches are shown. With `choices`, those organizations instead (e.g. the bodies of
 * other systems that may announce a campaign jointly), searched here. */
export function OrgMultiSelect(props: { value?: string[]; onChange?: (ids: string[]) => void; placeholder?: string; choices?: Option[]; testId?: string }) {
  const [text, setText] = useState("");
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const searched = useOrgMatches(text, false, undefined, !!props.choices);
  const found = props.choices ? props.choices.filter((o) => !text || o.label.includes(text)) : searched;
  const options = [...found, ...Object.entries(chosen).filter(([id]) => !found.some((o) => o.value === id)).map(([value, label]) => ({ value, label }))];
  return (
    <Select mode="multiple" allowClear showSearch filterOption={false} onSearch={setText} data-testid={props.testId}
      onDropdownVisibleChange={(open) => !open && setText("")}
      placeholder={props.placeholder ?? "选择下级组织"} value={props.value} options={options}
      onChange={(ids: string[]) => {
        const known = Object.fromEntries(options.map((o) => [o.value, o.label]));
        setChosen(Object.fromEntries(ids.map((id) => [id, known[id] ?? id])));
        props.onChange?.(ids);
      }} />
  );
}
