import { useState } from "react";
import { Select } from "antd";
import { useQuery } from "urql";
import { OrganizationListDocument } from "../gql/graphql";

/** Any organization the user may see, searched by name (for a transfer's receiver). */
export function OrgSearch(props: { value?: string; onChange?: (id: string) => void }) {
  const [text, setText] = useState("");
  const [{ data, fetching }] = useQuery({ query: OrganizationListDocument, variables: { first: 20, filters: { nameContains: text } }, pause: text.length < 1 });
  return (
    <Select showSearch filterOption={false} onSearch={setText} loading={fetching} value={props.value} onChange={props.onChange}
      placeholder="输入组织名称搜索" aria-label="接收组织"
      options={data?.organizations.edges.map(({ node }) => ({ value: node.id, label: `${node.name}（${node.parent?.name ?? ""}）` })) ?? []} />
  );
}
