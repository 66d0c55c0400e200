import { App, Button, Popconfirm, Space, Tabs, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { useMutation } from "urql";
import { MyDispatchesDocument, RespondToDispatchDocument, type DispatchState } from "../gql/graphql";
import { label } from "../lib/labels";
import { money } from "../lib/figures";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useUrlState } from "../lib/urlState";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";

const TABS: DispatchState[] = ["PENDING", "ACCEPTED", "DECLINED", "EXPIRED", "WITHDRAWN"];

/** 派单答复: the wishes an organization dispatched to the units one acts for; accepting claims what remains. */
export function DispatchesPage() {
  const url = useUrlState();
  const state = (url.get("state") ?? "PENDING") as DispatchState;
  const list = useConnection({ query: MyDispatchesDocument, variables: { filters: { state }, order: { deadline: "ASC" } }, pick: (d) => d.myDispatches });
  const [{ fetching }, respond] = useMutation(RespondToDispatchDocument);
  const { message } = App.useApp();
  const answer = async (dispatchId: string, accept: boolean) => {
    const result = await respond({ input: { dispatchId, accept } });
    const problem = payloadErrorMessage(result.data?.respondToDispatch.errors) ?? requestErrorMessage(result.error);
    if (problem) return message.error(problem);
    message.success(accept ? "已接单，心愿由本单位认领" : "已拒绝，心愿留在公示墙上");
    list.refetch();
  };
  return (
    <>
      <Typography.Title level={4}>派单答复</Typography.Title>
      <Typography.Paragraph type="secondary">组织把公示中的心愿派给本单位：接单即认领心愿剩余的全部金额；拒绝后心愿继续公示，由他人认领。请在答复期限前处理。</Typography.Paragraph>
      <Tabs activeKey={state} onChange={(k) => url.set({ state: k === "PENDING" ? undefined : k })}
        items={TABS.map((s) => ({ key: s, label: label("DispatchState", s) }))} />
      <ConnectionTable testId="dispatches" list={list} unit="件" emptyText="暂无派单" columns={[
        { title: "心愿", render: (_, d) => <Space direction="vertical" size={0}><b>{d.wish.title}</b><Typography.Text type="secondary">{d.wish.text}</Typography.Text></Space> },
        { title: "孩子", render: (_, d) => d.wish.childName ? `${d.wish.childName}（${d.wish.childAge}岁）` : d.wish.household || "—" },
        { title: "所在", render: (_, d) => d.wish.place },
        { title: "类别", render: (_, d) => label("WishCategory", d.wish.category) },
        { title: "剩余（元）", render: (_, d) => money(d.wish.remaining) },
        { title: "派给", dataIndex: "unitName" },
        { title: "答复期限", dataIndex: "deadline", render: (v) => dayjs(v).format("YYYY-MM-DD HH:mm") },
        { title: "状态", dataIndex: "state", render: (v) => <Tag color={v === "PENDING" ? "orange" : undefined}>{label("DispatchState", v)}</Tag> },
        {
          title: "答复", render: (_, d) => d.state === "PENDING" ? (
            <Space wrap>
              <Button type="primary" size="middle" loading={fetching} onClick={() => answer(d.dispatchId, true)}>接单</Button>
              <Popconfirm title="确定拒绝这个派单？" okText="拒绝" cancelText="取消" onConfirm={() => answer(d.dispatchId, false)}>
                <Button danger>拒绝</Button>
              </Popconfirm>
            </Space>
          ) : "—",
        },
      ]} />
    </>
  );
}
