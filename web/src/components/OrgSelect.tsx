import { useState } from "react";
import { Select } from "antd";
import { useQuery } from "urql";
import { OrganizationDescendantsDocument, OrganizationDetailDocument, type OrganizationFilter } from "../gql/graphql";
import { useSession } from "../lib/session";

/** The current organization or one below it, searched by name on the server (a county has hundreds). The chosen
 * one keeps its name even when it is not among the current matches (e.g. read back from the URL). `filters`
 * narrows the ones below (e.g. units only); the current organization is offered unless `below`. */
export function OrgSelect(props: { value?: string; onChange?: (id: string) => void; allowClear?: boolean; placeholder?: string; style?: React.CSSProperties; filters?: OrganizationFilter; below?: boolean }) {
  const session = useSession();
  const current = session.current?.organization;
  const [text, setText] = useState("");
  const [{ data }] = useQuery({
    query: OrganizationDescendantsDocument,
    variables: { id: current?.id ?? "", first: 30, filters: { ...props.filters, ...(text ? { nameContains: text } : {}) } }, pause: !current,
  });
  const found = [
    ...(current && !props.below && !props.filters && (!text || current.name.includes(text)) ? [{ value: current.id, label: current.name }] : []),
    ...(data?.organization?.descendants.edges.map(({ node }) => ({ value: node.id, label: `${node.name}（${node.parent?.name ?? ""}）` })) ?? []),
  ];
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
