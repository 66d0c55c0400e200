import { Select } from "antd";
import { useQuery } from "urql";
import { OrganizationDescendantsDocument } from "../gql/graphql";
import { useSession } from "../lib/session";

/** The current organization and (the first 100 of) its descendants, searchable by name. */
export function OrgSelect(props: { value?: string; onChange?: (id: string) => void; allowClear?: boolean; placeholder?: string; style?: React.CSSProperties }) {
  const session = useSession();
  const current = session.current?.organization;
  const [{ data }] = useQuery({
    query: OrganizationDescendantsDocument, variables: { id: current?.id ?? "", first: 100 }, pause: !current,
  });
  const options = [
    ...(current ? [{ value: current.id, label: current.name }] : []),
    ...(data?.organization?.descendants.edges.map(({ node }) => ({ value: node.id, label: `${node.name}（${node.parent?.name ?? ""}）` })) ?? []),
  ];
  return (
    <Select
      showSearch
      optionFilterProp="label"
      options={options}
      style={{ minWidth: 200, ...props.style }}
      value={props.value}
      onChange={props.onChange}
      allowClear={props.allowClear}
      placeholder={props.placeholder ?? "选择组织"}
    />
  );
}
