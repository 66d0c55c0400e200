import { useState } from "react";
import { App, Button, Card, Checkbox, Descriptions, Empty, Form, Input, Select, Space, Table, Tag, Timeline, Typography, DatePicker } from "antd";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { Link, useParams } from "react-router-dom";
import { PairingDetailDocument, PairingsDocument, RecordPairingContactDocument, TickPairingItemDocument, type ChecklistItem, type ContactKind } from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { RequestError } from "../components/common";

/** 结对: pairings, overdue ones flagged. */
export function PairingsPage() {
  const [overdue, setOverdue] = useState(false);
  const [kind, setKind] = useState<string | undefined>();
  const [{ data, fetching, error }] = useQuery({
    query: PairingsDocument, variables: { first: 100, filters: { ...(overdue ? { overdue: true } : {}), ...(kind ? { kind: kind as never } : {}) } },
  });
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap" }}>
        <Typography.Title level={4} style={{ margin: 0 }}>结对帮扶</Typography.Title>
        <Space wrap>
          <Select allowClear placeholder="结对类型" options={enumOptions("PairingKind")} value={kind} onChange={setKind} style={{ width: 200 }} />
          <Checkbox checked={overdue} onChange={(e) => setOverdue(e.target.checked)}>只看逾期未联系</Checkbox>
        </Space>
      </Space>
      <RequestError error={error} />
      <Table style={{ marginTop: 12 }} size="small" rowKey="id" loading={fetching} scroll={{ x: true }} dataSource={data?.pairings.edges.map((e) => e.node) ?? []}
        columns={[
          { title: "类型", dataIndex: "kind", render: (v, p) => <Link to={`/pairings/${p.id}`}>{label("PairingKind", v)}</Link> },
          { title: "帮扶方", render: (_, p) => p.volunteerName || p.partnerName || "—" },
          { title: "儿童", render: (_, p) => p.child?.name ?? p.partnerChild ?? "—" },
          { title: "开始", dataIndex: "startedOn" },
          { title: "最近联系", dataIndex: "lastContactOn" },
          { title: "应联系", dataIndex: "dueBy", render: (v, p) => (p.overdue ? <Tag color="red">逾期 {v}</Tag> : v) },
          { title: "状态", dataIndex: "state", render: (v) => label("PairingState", v) },
          { title: "组织", render: (_, p) => p.organization?.name },
        ]} />
    </>
  );
}

/** A pairing: the 五个一 checklist (大手拉小手), contacts, ticking and recording a contact. */
export function PairingDetailPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const [{ data, error }, refetch] = useQuery({ query: PairingDetailDocument, variables: { id } });
  const [, tick] = useMutation(TickPairingItemDocument);
  const [, contact] = useMutation(RecordPairingContactDocument);
  const { message } = App.useApp();
  const p = data?.pairing;
  if (!p) return <><RequestError error={error} /><Empty description="结对不存在或无权查看" /></>;
  const canChange = session.can("programs.change_program") && p.state === "ACTIVE";
  const report = (errors: { message: string }[] | undefined, err: Parameters<typeof requestErrorMessage>[0], ok: string) => {
    const problem = payloadErrorMessage(errors as never) ?? requestErrorMessage(err);
    if (problem) message.error(problem); else { message.success(ok); refetch({ requestPolicy: "network-only" }); }
  };
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Title level={4}><Link to="/pairings">结对</Link> / {label("PairingKind", p.kind)} {p.cardNumber}</Typography.Title>
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label="帮扶方">{p.volunteerName || p.partnerName}</Descriptions.Item>
        <Descriptions.Item label="儿童">{p.child?.name ?? p.partnerChild}</Descriptions.Item>
        <Descriptions.Item label="开始">{p.startedOn}</Descriptions.Item>
        <Descriptions.Item label="应联系">{p.overdue ? <Tag color="red">逾期 {p.dueBy}</Tag> : p.dueBy}</Descriptions.Item>
        <Descriptions.Item label="承诺">{p.commitments || "—"}</Descriptions.Item>
        <Descriptions.Item label="状态">{label("PairingState", p.state)} {p.closeReason}</Descriptions.Item>
      </Descriptions>
      {p.checklist.length > 0 && (
        <Card size="small" title="五个一">
          {p.checklist.map((c) => (
            <div key={c.item} style={{ padding: "4px 0" }}>
              <Checkbox checked={c.done} disabled={c.done || !canChange}
                onChange={async () => {
                  const r = await tick({ input: { pairingId: p.id, item: c.item as ChecklistItem, doneOn: dayjs().format("YYYY-MM-DD") } });
                  report(r.data?.tickPairingItem.errors, r.error, "已完成");
                }}>{c.label}</Checkbox>
              {c.done && <Typography.Text type="secondary"> {c.doneOn} {c.note}</Typography.Text>}
            </div>
          ))}
        </Card>
      )}
      <Card size="small" title="联系记录">
        <Timeline items={p.contacts.map((c) => ({ children: <>{c.contactedOn} {label("ContactKind", c.kind)} · {c.author}<div>{c.note}</div></> }))} />
        {canChange && (
          <Form layout="inline" onFinish={async (v: { contactedOn: dayjs.Dayjs; kind: ContactKind; note: string }) => {
            const r = await contact({ input: { pairingId: p.id, contactedOn: v.contactedOn.format("YYYY-MM-DD"), kind: v.kind, note: v.note ?? "" } });
            report(r.data?.recordPairingContact.errors, r.error, "已记录");
          }} initialValues={{ contactedOn: dayjs(), kind: "VISIT" }}>
            <Form.Item name="contactedOn"><DatePicker /></Form.Item>
            <Form.Item name="kind"><Select options={enumOptions("ContactKind")} style={{ width: 100 }} /></Form.Item>
            <Form.Item name="note"><Input placeholder="内容" /></Form.Item>
            <Button htmlType="submit">记录联系</Button>
          </Form>
        )}
      </Card>
    </Space>
  );
}
