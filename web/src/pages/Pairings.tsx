import { useState } from "react";
import { Alert, App, Button, Card, Checkbox, Descriptions, Empty, Form, Input, Modal, Select, Space, Tag, Timeline, Typography, DatePicker } from "antd";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { Link, useNavigate, useParams } from "react-router-dom";
import { PlusOutlined } from "@ant-design/icons";
import { ClosePairingDocument, CreatePairingDocument, PairingDetailDocument, PairingsDocument, RecordPairingContactDocument, TickPairingItemDocument, type ChecklistItem, type ContactKind } from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { RequestError } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { OrgSelect } from "../components/OrgSelect";
import { ChildPicker, VolunteerPicker } from "../components/Pickers";
import { useUrlState } from "../lib/urlState";
import { NAME_MAX, TEXT_MAX, TITLE_MAX } from "../lib/limits";
import { showErrors } from "./HappyHomes";

const PERSON_KINDS = ["BIG_HAND", "SURROGATE_MOTHER"];

/** 结对: pairings (kind and overdue filters and page in the URL), overdue ones flagged; starting a pairing. */
export function PairingsPage() {
  const url = useUrlState();
  const session = useSession();
  const navigate = useNavigate();
  const overdue = url.get("overdue") === "1";
  const kind = url.get("kind");
  const list = useConnection({
    query: PairingsDocument, variables: { filters: { ...(overdue ? { overdue: true } : {}), ...(kind ? { kind: kind as never } : {}) } },
    pick: (d) => d.pairings,
  });
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>结对帮扶</Typography.Title>
        <Space wrap>
          <Select allowClear placeholder="结对类型" options={enumOptions("PairingKind")} value={kind} onChange={(k) => url.set({ kind: k })} style={{ width: 200 }} />
          <Checkbox checked={overdue} onChange={(e) => url.set({ overdue: e.target.checked ? "1" : undefined })}>只看逾期未联系</Checkbox>
          {session.can("programs.change_program") && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>新建结对</Button>}
        </Space>
      </Space>
      <ConnectionTable testId="pairings" list={list} unit="对" columns={[
          { title: "类型", dataIndex: "kind", render: (v, p) => <Link to={`/pairings/${p.id}`}>{label("PairingKind", v)}</Link> },
          { title: "帮扶方", render: (_, p) => p.volunteerName || p.partnerName || "—" },
          { title: "儿童", render: (_, p) => p.child?.name ?? (p.partnerChild || "—") },
          { title: "开始", dataIndex: "startedOn" },
          { title: "最近联系", dataIndex: "lastContactOn" },
          { title: "应联系", dataIndex: "dueBy", render: (v, p) => (p.overdue ? <Tag color="red">逾期 {v}</Tag> : v) },
          { title: "状态", dataIndex: "state", render: (v) => label("PairingState", v) },
          { title: "组织", render: (_, p) => p.organization?.name },
        ]} />
      <PairingModal open={creating} onClose={(id) => { setCreating(false); if (id) navigate(`/pairings/${id}`); }} />
    </>
  );
}

/** 新建结对: 大手拉小手 and 代理妈妈 pair a volunteer with a child (a 爱心结对卡), 手拉手 a child with a pioneer, and
 * organization pairings a body with a partner (a university league committee, a school, a 青联 member). */
function PairingModal({ open, onClose }: { open: boolean; onClose: (id?: string) => void }) {
  const [form] = Form.useForm();
  const session = useSession();
  const [{ fetching }, create] = useMutation(CreatePairingDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const kind = Form.useWatch("kind", form) as string | undefined;
  const person = !!kind && PERSON_KINDS.includes(kind);
  const children = kind === "HAND_IN_HAND";
  return (
    <Modal title="新建结对" open={open} onCancel={() => onClose()} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false} initialValues={{ kind: "BIG_HAND", organizationId: session.current?.organization.id, startedOn: dayjs() }}
        onFinish={async (v: { organizationId: string; kind: string; startedOn: dayjs.Dayjs; volunteerId?: string; childId?: string; partnerChild?: string; partnerName?: string; commitments?: string }) => {
          setProblem(null);
          const result = await create({ input: {
            organizationId: v.organizationId, kind: v.kind as never, startedOn: v.startedOn.format("YYYY-MM-DD"),
            volunteerId: person ? v.volunteerId ?? null : null, childId: person || children ? v.childId ?? null : null,
            partnerChild: children ? v.partnerChild ?? "" : "", partnerName: !person && !children ? v.partnerName ?? "" : "", commitments: v.commitments ?? "",
          } });
          const failed = showErrors(form, result.data?.createPairing.errors ?? [], requestErrorMessage(result.error));
          if (failed || result.data?.createPairing.errors.length) return setProblem(failed);
          onClose(result.data!.createPairing.pairing!.id);
        }}>
        <Form.Item name="kind" label="结对类型"><Select options={enumOptions("PairingKind")} /></Form.Item>
        <Form.Item name="organizationId" label="负责组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>
        <Form.Item name="startedOn" label="开始日期"><DatePicker disabledDate={(d) => d.isAfter(dayjs(), "day")} /></Form.Item>
        {person && <Form.Item name="volunteerId" label="志愿者（爱心志愿辅导员、代理妈妈）" rules={[{ required: true, message: "请选择志愿者" }]}><VolunteerPicker /></Form.Item>}
        {(person || children) && <Form.Item name="childId" label="留守儿童" rules={[{ required: true, message: "请选择儿童" }]}><ChildPicker /></Form.Item>}
        {children && <Form.Item name="partnerChild" label="手拉手小伙伴（少先队员）" rules={[{ required: true, message: "请填写姓名" }]}><Input maxLength={NAME_MAX} /></Form.Item>}
        {!person && !children && <Form.Item name="partnerName" label="结对单位或委员" rules={[{ required: true, message: "请填写结对方" }]}><Input maxLength={TITLE_MAX} placeholder="如 共青团华中师范大学委员会" /></Form.Item>}
        <Form.Item name="commitments" label="帮扶承诺"><Input.TextArea maxLength={TEXT_MAX} placeholder="如 每月至少通话一次，寒暑假走访" /></Form.Item>
      </Form>
    </Modal>
  );
}

/** A pairing: the 五个一 checklist (大手拉小手), contacts, ticking and recording a contact. */
export function PairingDetailPage() {
  const { id = "" } = useParams();
  const session = useSession();
  const [{ data, error }, refetch] = useQuery({ query: PairingDetailDocument, variables: { id } });
  const [, tick] = useMutation(TickPairingItemDocument);
  const [, contact] = useMutation(RecordPairingContactDocument);
  const [, closePairing] = useMutation(ClosePairingDocument);
  const { message, modal } = App.useApp();
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
            <Form.Item name="note"><Input placeholder="内容" maxLength={TEXT_MAX} /></Form.Item>
            <Button htmlType="submit">记录联系</Button>
          </Form>
        )}
      </Card>
      {canChange && <Button danger onClick={() => {
        let reason = "";
        modal.confirm({
          title: "结束结对：请填写原因", okText: "结束结对", cancelText: "取消",
          content: <Input.TextArea aria-label="结束原因" maxLength={200} onChange={(e) => (reason = e.target.value)} />,
          onOk: async () => { const r = await closePairing({ input: { pairingId: p.id, reason } }); report(r.data?.closePairing.errors, r.error, "已结束"); },
        });
      }}>结束结对</Button>}
    </Space>
  );
}
