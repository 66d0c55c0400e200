import type React from "react";
import { useState } from "react";

// A child without a case reads as null, which names no type: the document cache would not refetch it after the
// first assessment opens the case. Every query of a case is refetched when a mutation returns a Case.
const CASE_CONTEXT = { additionalTypenames: ["Case"] };
import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Empty, Form, Input, InputNumber, List, Modal, Radio, Select, Space, Spin, Tabs, Tag, Typography } from "antd";
import { Link } from "react-router-dom";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import {
  AddCaseActionDocument, AddCaseGoalDocument, ChildCaseDocument, CloseCaseDocument, OpenCaseDocument, RecordAssessmentDocument,
  RecordCaseServiceDocument, ReferCaseDocument, ReportIncidentDocument, SetCaseActionStatusDocument, UpdateIncidentDocument,
  UpdateReferralDocument, type CaseFileFragment,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { RequestError } from "../components/common";
import { useUrlState } from "../lib/urlState";
import { NAME_MAX, TEXT_MAX, TITLE_MAX } from "../lib/limits";

// The case tabs of a child's file (评估, 个案计划, 事件, 转介, 服务). Everything here is a minor's personal data: the
// server masks the texts (****) for readers without the personal-data permission, and says so (textsVisible).

export const CASE_TABS = [
  { key: "assessment", label: "评估" },
  { key: "plan", label: "个案计划" },
  { key: "incidents", label: "事件" },
  { key: "referrals", label: "转介" },
  { key: "services", label: "服务" },
] as const;
type Part = (typeof CASE_TABS)[number]["key"];

const ITEMS: [string, string][] = [
  ["guardianCapacity", "监护能力"], ["schoolAttendance", "就学情况"], ["health", "身体健康"],
  ["psychologicalState", "心理状况"], ["safetyAtHome", "家庭安全"], ["parentContact", "与父母联系"],
];
const LEVEL_COLORS: Record<string, string> = { HIGH: "red", MEDIUM: "orange", LOW: "green" };
const day = (d: dayjs.Dayjs) => d.format("YYYY-MM-DD");
const notFuture = (d: dayjs.Dayjs) => d.isAfter(dayjs(), "day");

export function RiskTag({ level }: { level?: string | null }) {
  if (!level) return <Tag>未评估</Tag>;
  return <Tag color={LEVEL_COLORS[level]} data-testid="risk-level">{label("RiskLevel", level)}风险</Tag>;
}

/** The tab items for the child's file: each tab reads the child's case (one query, shared by urql's cache). */
export function caseTabItems(childId: string): { key: string; label: string; children: React.ReactNode }[] {
  return CASE_TABS.map((t) => ({ key: t.key, label: t.label, children: <CaseTab childId={childId} part={t.key} /> }));
}

/** A case referred to the reader's unit: the case tabs alone (the unit reads the case, not the child's record). */
export function ReferredCase({ childId }: { childId: string }) {
  const [{ data, fetching }] = useQuery({ query: ChildCaseDocument, variables: { childId }, context: CASE_CONTEXT });
  const url = useUrlState();
  if (fetching && !data) return <Spin />;
  const kase = data?.childCase;
  if (!kase) return <Empty description="档案不存在或无权查看" />;
  const open = kase.referrals.find((r) => r.accessUntil && r.status !== "CLOSED");
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Title level={4} style={{ margin: 0 }}><Link to="/cases?tab=all">个案保护</Link> / {kase.childName} <RiskTag level={kase.riskLevel} /></Typography.Title>
      {open?.accessUntil && <Alert type="info" showIcon message={`本个案经转介供本单位查阅，至 ${dayjs(open.accessUntil).format("YYYY-MM-DD HH:mm")} 止；每次查阅记入审计日志。`} />}
      <Tabs activeKey={CASE_TABS.some((t) => t.key === url.get("tab")) ? url.get("tab") : "assessment"} destroyInactiveTabPane
        onChange={(k) => url.set({ tab: k }, { replace: true })} items={caseTabItems(childId)} />
    </Space>
  );
}

type Payload = { errors: { message: string; code: string }[] } | undefined;

function useFinish() {
  const { message } = App.useApp();
  return (payload: Payload, err: Parameters<typeof requestErrorMessage>[0], ok: string) => {
    const problem = payloadErrorMessage(payload?.errors) ?? requestErrorMessage(err);
    if (problem) { message.error(problem); return false; }
    message.success(ok);
    return true;
  };
}

function CaseTab({ childId, part }: { childId: string; part: Part }) {
  const [{ data, fetching, error }] = useQuery({ query: ChildCaseDocument, variables: { childId }, context: CASE_CONTEXT });
  const session = useSession();
  const canChange = session.can("cases.change_case");
  if (fetching && !data) return <Spin />;
  const kase = data?.childCase ?? null;
  const closed = kase?.status === "CLOSED";
  const writable = canChange && !closed && (!kase || kase.textsVisible);
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <RequestError error={error} />
      {kase && !kase.textsVisible && <Alert type="info" showIcon message="无个人信息权限：只显示等级、类型、日期和状态，具体内容已隐藏。" />}
      {closed && <ClosedCase childId={childId} kase={kase} canChange={canChange} />}
      {part === "assessment" && <AssessmentTab childId={childId} kase={kase} writable={writable} />}
      {part === "plan" && <PlanTab childId={childId} kase={kase} writable={writable} />}
      {part === "incidents" && <IncidentsTab childId={childId} kase={kase} writable={writable} />}
      {part === "referrals" && <ReferralsTab childId={childId} kase={kase} writable={writable} />}
      {part === "services" && <ServicesTab childId={childId} kase={kase} writable={writable} />}
    </Space>
  );
}

type TabProps = { childId: string; kase: CaseFileFragment | null; writable: boolean };

function ClosedCase({ childId, kase, canChange }: { childId: string; kase: CaseFileFragment; canChange: boolean }) {
  const [, open] = useMutation(OpenCaseDocument);
  const finish = useFinish();
  return (
    <Alert type="warning" showIcon message={`个案已结案：${kase.closedReason}`} action={canChange && (
      <Button size="small" onClick={async () => { const r = await open({ input: { childId } }); finish(r.data?.openCase, r.error, "已重新立案"); }}>重新立案</Button>
    )} />
  );
}

function AssessmentTab({ childId, kase, writable }: TabProps) {
  const [open, setOpen] = useState(false);
  const [, record] = useMutation(RecordAssessmentDocument);
  const finish = useFinish();
  return (
    <>
      <Card size="small" title="当前风险" extra={writable && <Button type="primary" onClick={() => setOpen(true)}>新评估</Button>}>
        {kase ? (
          <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
            <Descriptions.Item label="风险等级"><RiskTag level={kase.riskLevel} /></Descriptions.Item>
            <Descriptions.Item label="原因">{kase.riskReasons.length ? kase.riskReasons.map((r) => <Tag key={r}>{label("RiskReason", r)}</Tag>) : "—"}</Descriptions.Item>
            <Descriptions.Item label="下次评估">
              {kase.nextAssessmentOn ? (kase.overdue ? <Tag color="red">已逾期 {kase.nextAssessmentOn}</Tag> : kase.nextAssessmentOn) : "—"}
            </Descriptions.Item>
          </Descriptions>
        ) : <Empty description="尚未立案：首次评估或记录事件即立案" />}
      </Card>
      <List size="small" header="评估记录" dataSource={kase?.assessments ?? []} locale={{ emptyText: "暂无评估" }} renderItem={(a) => (
        <List.Item>
          <List.Item.Meta title={<Space wrap>{a.assessedOn}<RiskTag level={a.level} />{a.reasons.map((r) => <Tag key={r}>{label("RiskReason", r)}</Tag>)}<Typography.Text type="secondary">{a.assessor}</Typography.Text></Space>}
            description={<>
              {a.ratings && <Space wrap size={4}>{a.ratings.map((r) => <Tag key={r.item} color={r.rating === "SERIOUS" ? "red" : r.rating === "CONCERN" ? "orange" : undefined}>
                {ITEMS.find(([k]) => k === r.item)?.[1]}：{label("RiskRating", r.rating)}</Tag>)}</Space>}
              {a.note && <div>{a.note}</div>}
            </>} />
        </List.Item>
      )} />
      <Modal title="风险评估" open={open} onCancel={() => setOpen(false)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ assessedOn: dayjs(), ...Object.fromEntries(ITEMS.map(([k]) => [k, "GOOD"])) }} onFinish={async (v) => {
          const r = await record({ input: { childId, assessedOn: day(v.assessedOn), note: v.note ?? "", ...Object.fromEntries(ITEMS.map(([k]) => [k, v[k]])) } as never });
          if (finish(r.data?.recordAssessment, r.error, `已评估：${label("RiskLevel", r.data?.recordAssessment.case?.riskLevel)}风险`)) setOpen(false);
        }}>
          <Form.Item name="assessedOn" label="评估日期"><DatePicker disabledDate={notFuture} /></Form.Item>
          {ITEMS.map(([key, text]) => (
            <Form.Item key={key} name={key} label={text} style={{ marginBottom: 8 }}>
              <Radio.Group optionType="button" options={enumOptions("RiskRating")} aria-label={text} />
            </Form.Item>
          ))}
          <Form.Item name="note" label="评估说明"><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Typography.Paragraph type="secondary">风险等级按统一规则计算：家庭安全或监护能力严重、或两项以上严重为高；一项严重或三项以上需关注为中。高风险每月复评，中风险每季度，低风险每半年。</Typography.Paragraph>
          <Button type="primary" htmlType="submit">保存评估</Button>
        </Form>
      </Modal>
    </>
  );
}

function PlanTab({ childId, kase, writable }: TabProps) {
  const [dialog, setDialog] = useState<"goal" | "close" | { goalId: string } | null>(null);
  const [, addGoal] = useMutation(AddCaseGoalDocument);
  const [, addAction] = useMutation(AddCaseActionDocument);
  const [, setStatus] = useMutation(SetCaseActionStatusDocument);
  const [, closeCase] = useMutation(CloseCaseDocument);
  const finish = useFinish();
  return (
    <>
      {writable && (
        <Space wrap>
          <Button type="primary" onClick={() => setDialog("goal")}>添加目标</Button>
          {kase && <Button danger onClick={() => setDialog("close")}>结案</Button>}
        </Space>
      )}
      {!kase?.goals.length && <Empty description="暂无个案计划" />}
      {kase?.goals.map((g, i) => (
        <Card key={g.id} size="small" title={`目标 ${i + 1}：${g.text}`} extra={writable && <Button size="small" onClick={() => setDialog({ goalId: g.id })}>添加措施</Button>}>
          <List size="small" dataSource={g.actions} locale={{ emptyText: "暂无措施" }} renderItem={(a) => (
            <List.Item actions={writable ? [
              <Select key="s" size="small" value={a.status} style={{ width: 100 }} options={enumOptions("CaseActionStatus")} aria-label="措施状态"
                onChange={async (status) => { const r = await setStatus({ input: { id: a.id, status } }); finish(r.data?.setCaseActionStatus, r.error, "已更新"); }} />,
            ] : [<Tag key="s">{label("CaseActionStatus", a.status)}</Tag>]}>
              <List.Item.Meta title={a.text} description={<>负责人：{a.owner} · 期限：{a.overdue ? <Tag color="red">已逾期 {a.dueOn}</Tag> : a.dueOn}</>} />
            </List.Item>
          )} />
        </Card>
      ))}
      <Modal title="添加目标" open={dialog === "goal"} onCancel={() => setDialog(null)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={async (v) => {
          const r = await addGoal({ input: { childId, text: v.text } });
          if (finish(r.data?.addCaseGoal, r.error, "已添加目标")) setDialog(null);
        }}>
          <Form.Item name="text" label="目标" rules={[{ required: true, message: "请填写目标" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" htmlType="submit">保存</Button>
        </Form>
      </Modal>
      <Modal title="添加措施" open={typeof dialog === "object" && dialog !== null} onCancel={() => setDialog(null)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ dueOn: dayjs().add(14, "day") }} onFinish={async (v) => {
          if (typeof dialog !== "object" || !dialog) return;
          const r = await addAction({ input: { goalId: dialog.goalId, text: v.text, owner: v.owner, dueOn: day(v.dueOn) } });
          if (finish(r.data?.addCaseAction, r.error, "已添加措施")) setDialog(null);
        }}>
          <Form.Item name="text" label="措施" rules={[{ required: true, message: "请填写措施" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Form.Item name="owner" label="负责人" rules={[{ required: true, message: "请选择负责人" }]}>
            <Select showSearch optionFilterProp="label" options={kase?.staff.map((s) => ({ value: s.username, label: s.name })) ?? []} />
          </Form.Item>
          <Form.Item name="dueOn" label="完成期限"><DatePicker disabledDate={(d) => d.isBefore(dayjs(), "day")} /></Form.Item>
          <Button type="primary" htmlType="submit">保存</Button>
        </Form>
      </Modal>
      <Modal title="结案" open={dialog === "close"} onCancel={() => setDialog(null)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={async (v) => {
          const r = await closeCase({ input: { childId, reason: v.reason } });
          if (finish(r.data?.closeCase, r.error, "已结案")) setDialog(null);
        }}>
          <Typography.Paragraph type="secondary">结案后，进行中的转介一并关闭，合作单位的查阅权限随之终止。</Typography.Paragraph>
          <Form.Item name="reason" label="结案原因" rules={[{ required: true, message: "请填写结案原因" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" danger htmlType="submit">确认结案</Button>
        </Form>
      </Modal>
    </>
  );
}

function IncidentsTab({ childId, kase, writable }: TabProps) {
  const [dialog, setDialog] = useState<"new" | { id: string; followUp: string } | null>(null);
  const [, report] = useMutation(ReportIncidentDocument);
  const [, update] = useMutation(UpdateIncidentDocument);
  const finish = useFinish();
  return (
    <>
      {writable && <Button type="primary" onClick={() => setDialog("new")}>报告事件</Button>}
      <List size="small" dataSource={kase?.incidents ?? []} locale={{ emptyText: "暂无事件" }} renderItem={(i) => (
        <List.Item actions={writable && !i.closed ? [<Button key="f" size="small" onClick={() => setDialog({ id: i.id, followUp: i.followUp })}>跟进</Button>] : []}>
          <List.Item.Meta
            title={<Space wrap>{i.occurredOn}<Tag>{label("IncidentKind", i.kind)}</Tag><Tag color={i.severity === "GRAVE" ? "red" : i.severity === "SERIOUS" ? "orange" : undefined}>{label("IncidentSeverity", i.severity)}</Tag>
              {i.closed ? <Tag color="green">处置完毕</Tag> : <Tag color="blue">跟进中</Tag>}</Space>}
            description={<>
              <div>{i.description}</div>
              <div>已告知：{i.informed.length ? i.informed.map((p) => label("InformedParty", p)).join("、") : "—"}{i.informedOn ? `（${i.informedOn}）` : ""}</div>
              {i.followUp && <div>跟进：{i.followUp}</div>}
              <Typography.Text type="secondary">报告人：{i.reportedBy}</Typography.Text>
            </>} />
        </List.Item>
      )} />
      <Modal title="报告事件" open={dialog === "new"} onCancel={() => setDialog(null)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ occurredOn: dayjs(), severity: "MINOR", informed: [] }} onFinish={async (v) => {
          const r = await report({ input: { childId, kind: v.kind, severity: v.severity, occurredOn: day(v.occurredOn), description: v.description,
            informed: v.informed, informedOn: v.informedOn ? day(v.informedOn) : null, followUp: v.followUp ?? "" } });
          if (finish(r.data?.reportIncident, r.error, "已报告")) setDialog(null);
        }}>
          <Form.Item name="kind" label="类型" rules={[{ required: true, message: "请选择类型" }]}><Select options={enumOptions("IncidentKind")} /></Form.Item>
          <Form.Item name="severity" label="严重程度" extra="严重事件将儿童列为高风险，并通知县级组织（通知中不含儿童个人信息）。"><Radio.Group optionType="button" options={enumOptions("IncidentSeverity")} /></Form.Item>
          <Form.Item name="occurredOn" label="发生日期"><DatePicker disabledDate={notFuture} /></Form.Item>
          <Form.Item name="description" label="经过" rules={[{ required: true, message: "请填写经过" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Form.Item name="informed" label="已告知"><Checkbox.Group options={enumOptions("InformedParty")} /></Form.Item>
          <Form.Item name="informedOn" label="告知日期"><DatePicker disabledDate={notFuture} /></Form.Item>
          <Form.Item name="followUp" label="后续跟进"><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" htmlType="submit">报告</Button>
        </Form>
      </Modal>
      <Modal title="跟进事件" open={typeof dialog === "object" && dialog !== null} onCancel={() => setDialog(null)} footer={null} destroyOnClose>
        {typeof dialog === "object" && dialog && (
          <Form layout="vertical" initialValues={{ followUp: dialog.followUp, close: false }} onFinish={async (v) => {
            const r = await update({ input: { id: dialog.id, followUp: v.followUp ?? "", close: v.close } });
            if (finish(r.data?.updateIncident, r.error, "已保存")) setDialog(null);
          }}>
            <Form.Item name="followUp" label="后续跟进"><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
            <Form.Item name="close" valuePropName="checked"><Checkbox>处置完毕</Checkbox></Form.Item>
            <Button type="primary" htmlType="submit">保存</Button>
          </Form>
        )}
      </Modal>
    </>
  );
}

const NEXT_STATUS: Record<string, string[]> = { SENT: ["ACCEPTED", "SERVED", "CLOSED"], ACCEPTED: ["SERVED", "CLOSED"], SERVED: ["CLOSED"], CLOSED: [] };

function ReferralsTab({ childId, kase, writable }: TabProps) {
  const [dialog, setDialog] = useState<"new" | { id: string; status: string; feedback: string } | null>(null);
  const [target, setTarget] = useState<string>();
  const [, refer] = useMutation(ReferCaseDocument);
  const [, update] = useMutation(UpdateReferralDocument);
  const [, openCase] = useMutation(OpenCaseDocument);
  const finish = useFinish();
  const start = async () => {  // the partner units to choose from come with the case: open it first
    if (!kase) {
      const r = await openCase({ input: { childId } });
      if (!finish(r.data?.openCase, r.error, "已立案")) return;
    }
    setDialog("new");
  };
  return (
    <>
      {writable && <Button type="primary" onClick={start}>转介</Button>}
      <List size="small" dataSource={kase?.referrals ?? []} locale={{ emptyText: "暂无转介" }} renderItem={(r) => (
        <List.Item actions={writable && r.status !== "CLOSED" ? [<Button key="u" size="small" onClick={() => setDialog({ id: r.id, status: r.status, feedback: r.feedback })}>更新状态</Button>] : []}>
          <List.Item.Meta
            title={<Space wrap>{r.sentOn}<Tag>{label("ReferralTarget", r.target)}</Tag>{r.receiver}<Tag color={r.status === "CLOSED" ? undefined : "blue"} data-testid="referral-status">{label("ReferralStatus", r.status)}</Tag></Space>}
            description={<>
              <div>原因：{r.reason}</div>
              {r.feedback && <div>接收方反馈：{r.feedback}</div>}
              {r.accessUntil && r.status !== "CLOSED" && <div>合作单位可查阅至 {dayjs(r.accessUntil).format("YYYY-MM-DD HH:mm")}</div>}
              <Typography.Text type="secondary">转介人：{r.referredBy}</Typography.Text>
            </>} />
        </List.Item>
      )} />
      <Modal title="转介" open={dialog === "new"} onCancel={() => { setDialog(null); setTarget(undefined); }} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ sentOn: dayjs(), accessDays: 30 }} onFinish={async (v) => {
          const r = await refer({ input: { childId, target: v.target, reason: v.reason, sentOn: day(v.sentOn), receiver: v.receiver ?? "",
            unitId: v.unitId ?? null, accessDays: v.accessDays ?? 30 } });
          if (finish(r.data?.referCase, r.error, "已转介")) { setDialog(null); setTarget(undefined); }
        }}>
          <Form.Item name="target" label="转介对象" rules={[{ required: true, message: "请选择转介对象" }]}><Select options={enumOptions("ReferralTarget")} onChange={setTarget} /></Form.Item>
          {target === "PARTNER" ? (
            <>
              <Form.Item name="unitId" label="合作单位" rules={[{ required: true, message: "请选择合作单位" }]}>
                <Select showSearch optionFilterProp="label" options={kase?.partnerUnits.map((u) => ({ value: u.id, label: u.name })) ?? []}
                  notFoundContent="本县暂无合作单位" />
              </Form.Item>
              <Form.Item name="accessDays" label="查阅期限（天）" extra="期间该单位可查阅本个案（每次查阅记入审计日志）；转介关闭或到期即终止。需监护人已同意向合作单位共享。">
                <InputNumber min={1} max={180} />
              </Form.Item>
            </>
          ) : <Form.Item name="receiver" label="接收方"><Input maxLength={TITLE_MAX} placeholder="如：县 12355 青少年服务台" /></Form.Item>}
          <Form.Item name="sentOn" label="转介日期"><DatePicker disabledDate={notFuture} /></Form.Item>
          <Form.Item name="reason" label="转介原因" rules={[{ required: true, message: "请填写转介原因" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" htmlType="submit">转介</Button>
        </Form>
      </Modal>
      <Modal title="更新转介状态" open={typeof dialog === "object" && dialog !== null} onCancel={() => setDialog(null)} footer={null} destroyOnClose>
        {typeof dialog === "object" && dialog && (
          <Form layout="vertical" initialValues={{ status: NEXT_STATUS[dialog.status][0], feedback: dialog.feedback }} onFinish={async (v) => {
            const r = await update({ input: { id: dialog.id, status: v.status, feedback: v.feedback ?? "" } });
            if (finish(r.data?.updateReferral, r.error, "已更新")) setDialog(null);
          }}>
            <Form.Item name="status" label="状态"><Select options={NEXT_STATUS[dialog.status].map((s) => ({ value: s, label: label("ReferralStatus", s) }))} /></Form.Item>
            <Form.Item name="feedback" label="接收方反馈"><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
            <Button type="primary" htmlType="submit">保存</Button>
          </Form>
        )}
      </Modal>
    </>
  );
}

function ServicesTab({ childId, kase, writable }: TabProps) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<string>("COUNSELLING");
  const [, record] = useMutation(RecordCaseServiceDocument);
  const finish = useFinish();
  const detail = (s: CaseFileFragment["services"][number]) => {
    if (s.kind === "AID") return `${label("AidProgramme", s.programme)} ${s.amount} 元`;
    if (s.kind === "FAMILY_CALL") return `与${s.withWhom}通话 ${s.minutes} 分钟`;
    return [s.provider, s.summary].filter(Boolean).join("：");
  };
  return (
    <>
      {writable && <Button type="primary" onClick={() => setOpen(true)}>记录服务</Button>}
      <List size="small" dataSource={kase?.services ?? []} locale={{ emptyText: "暂无服务记录" }} renderItem={(s) => (
        <List.Item>
          <List.Item.Meta title={<Space wrap>{s.givenOn}<Tag>{label("CaseServiceKind", s.kind)}</Tag></Space>}
            description={<>{detail(s)}<div><Typography.Text type="secondary">记录人：{s.recordedBy}</Typography.Text></div></>} />
        </List.Item>
      )} />
      <Modal title="记录服务" open={open} onCancel={() => setOpen(false)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ kind: "COUNSELLING", givenOn: dayjs(), programme: "SHISUI" }} onFinish={async (v) => {
          const r = await record({ input: { childId, kind: v.kind, givenOn: day(v.givenOn), provider: v.provider ?? "", withWhom: v.withWhom ?? "",
            minutes: v.minutes ?? null, programme: v.kind === "AID" ? v.programme : null, amount: v.amount != null ? String(v.amount) : null, summary: v.summary ?? "" } });
          if (finish(r.data?.recordCaseService, r.error, "已记录")) setOpen(false);
        }}>
          <Form.Item name="kind" label="类型"><Select options={enumOptions("CaseServiceKind")} onChange={setKind} /></Form.Item>
          <Form.Item name="givenOn" label="日期"><DatePicker disabledDate={notFuture} /></Form.Item>
          {kind === "COUNSELLING" && <Form.Item name="provider" label="疏导人" rules={[{ required: true, message: "请填写疏导人" }]}><Input maxLength={NAME_MAX} /></Form.Item>}
          {kind === "FAMILY_CALL" && (
            <Space wrap>
              <Form.Item name="withWhom" label="通话对象" rules={[{ required: true, message: "请填写通话对象" }]}><Input maxLength={NAME_MAX} placeholder="如：母亲" /></Form.Item>
              <Form.Item name="minutes" label="时长（分钟）" rules={[{ required: true, message: "请填写时长" }]}><InputNumber min={1} max={600} /></Form.Item>
            </Space>
          )}
          {kind === "AID" && (
            <Space wrap>
              <Form.Item name="programme" label="资助项目"><Select style={{ width: 140 }} options={enumOptions("AidProgramme")} /></Form.Item>
              <Form.Item name="amount" label="金额（元）" rules={[{ required: true, message: "请填写金额" }]}><InputNumber min={0.01} precision={2} /></Form.Item>
            </Space>
          )}
          {kind !== "AID" && kind !== "FAMILY_CALL" && (
            <Form.Item name="summary" label={kind === "SAFETY_LESSON" ? "课程内容" : "疏导记录"} rules={[{ required: true, message: "请填写内容" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          )}
          <Button type="primary" htmlType="submit">保存</Button>
        </Form>
      </Modal>
    </>
  );
}
