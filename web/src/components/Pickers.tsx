import { useState } from "react";
import { Select } from "antd";
import { useQuery } from "urql";
import { CampaignsDocument, ChildRosterDocument, VolunteersDocument } from "../gql/graphql";

type PickerProps<V> = { value?: V; onChange?: (value: V) => void; placeholder?: string; organization?: string };

/** Children of one's scope (or of `organization`), searched by name on the server; one, or several with `multiple`. */
export function ChildPicker<V extends string | string[]>(props: PickerProps<V> & { multiple?: boolean }) {
  const [prefix, setPrefix] = useState("");
  const filters = { status: "ACTIVE" as const, ...(prefix ? { namePrefix: prefix } : {}), ...(props.organization ? { organization: props.organization } : {}) };
  const [{ data, fetching }] = useQuery({ query: ChildRosterDocument, variables: { first: 30, filters } });
  return (
    <Select
      aria-label="儿童" mode={props.multiple ? "multiple" : undefined}
      showSearch allowClear filterOption={false} loading={fetching} placeholder={props.placeholder ?? "输入姓名搜索"}
      value={props.value} onChange={(v) => props.onChange?.(v as V)} onSearch={setPrefix}
      options={data?.children.edges.map(({ node }) => ({ value: node.id, label: `${node.name}（${node.age}岁，${node.organization?.name ?? ""}）` })) ?? []}
    />
  );
}

/** Volunteers of one's scope, searched by name on the server. */
export function VolunteerPicker<V extends string | string[]>(props: PickerProps<V> & { multiple?: boolean }) {
  const [text, setText] = useState("");
  const [{ data, fetching }] = useQuery({ query: VolunteersDocument, variables: { first: 30, filters: text ? { namePrefix: text } : {} } });
  return (
    <Select
      aria-label="志愿者" mode={props.multiple ? "multiple" : undefined}
      showSearch allowClear filterOption={false} loading={fetching} placeholder={props.placeholder ?? "输入姓名搜索"}
      value={props.value} onChange={(v) => props.onChange?.(v as V)} onSearch={setText}
      options={data?.volunteers.edges.map(({ node }) => ({ value: node.id, label: `${node.name}（${node.team || node.originName || node.organization?.name || ""}）` })) ?? []}
    />
  );
}

/** Campaigns visible to one (announced in one's tree or covering it), searched by title on the server. */
export function CampaignPicker(props: PickerProps<string>) {
  const [text, setText] = useState("");
  const [{ data, fetching }] = useQuery({ query: CampaignsDocument, variables: { first: 30, filters: text ? { titleContains: text } : {} } });
  return (
    <Select
      aria-label="所属行动" showSearch allowClear filterOption={false} loading={fetching} placeholder={props.placeholder ?? "输入标题搜索"}
      value={props.value} onChange={(v) => props.onChange?.(v)} onSearch={setText}
      options={data?.campaigns.edges.map(({ node }) => ({ value: node.id, label: node.title })) ?? []}
    />
  );
}
