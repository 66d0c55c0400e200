import { useState } from "react";
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Popconfirm, Segmented, Space, Table, Tabs, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useClient, useMutation, useQuery } from "urql";
import {
  ApproveReportDocument, ExportReportDocument, OpenReportRequestDocument, ReportDifferencesDocument, ReportEditorDocument, ReportRequestDetailDocument,
  ReportRequestsDocument, ReportsDocument, ReturnReportDocument, SaveReportDocument, SubmitReportDocument, WithdrawReportDocument,
} from "../gql/graphql";
import { label } from "../lib/labels";
import { metricLabel } from "../lib/figures";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { ActionLink } from "../components/common";
import { JobProgress } from "../components/JobProgress";
import { OrgSelect } from "../components/OrgSelect";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { useUrlState } from "../lib/urlState";

const STATE_COLOR: Record<string, string> = { DRAFT: "default", SUBMITTED: "blue", RETURNED: "orange", APPROVED: "green" };
const stateTag = (s?: string | null) => (s ? <Tag color={STATE_COLOR[s]}>{label("ReportState", s)}</Tag> : <Tag>未填报</Tag>);

function useReport() {
  const { message } = App.useApp();
  return (data: unknown, error: Parameters<typeof requestErrorMessage>[0], ok: string) => {
    const payload = data ? (Object.values(data as object)[0] as { errors?: { message: string; code: string }[] }) : null;
    const problem = payloadErrorMessage(payload?.errors) ?? requestErrorMessage(error);
    if (problem) { message.error(problem); return false; }
    message.success(ok);
    return true;
  };
}

type Difference = { metric: string; label: string; reported: string; live: string };

/** The figures of a report that differ from its subtree's live count, as the superior sees them before deciding. */
function Differences({ rows }: { rows: Difference[] }) {
  if (!rows.length) return <Typography.Text type="secondary">报送数据与下级当前统计一致。</Typography.Text>;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="report-differences">
      <Alert type="warning" showIcon message={`有 ${rows.length} 项数据与下级当前统计不一致`} />
      <Table size="small" rowKey="metric" pagination={false} dataSource={rows}
        columns={[{ title: "数据项", dataIndex: "label" }, { title: "报送", dataIndex: "reported" }, { title: "当前统计", dataIndex: "live" }]} />
    </Space>
  );
}

/** Approve or return after a confirmation that shows how the report differs from the live count. */
function useReview(done: () => void) {
  const client = useClient();
  const { modal, message } = App.useApp();
  const [, approve] = useMutation(ApproveReportDocument);
  const [, giveBack] = useMutation(ReturnReportDocument);
  const report = useReport();
  const differences = async (id: string) => {
    const res = await client.query(ReportDifferencesDocument, { id }, { requestPolicy: "network-only" }).toPromise();
    const problem = requestErrorMessage(res.error);
    if (problem) message.error(problem);
    return problem ? null : res.data?.report?.differences ?? [];
  };
  return {
    approve: async (id: string) => {
      const rows = await differences(id);
      if (rows === null) return;
      modal.confirm({
        title: "审核通过后数据将锁定，确认通过？", width: 560, okText: rows.length ? "仍然通过" : "通过", cancelText: "取消",
        content: <Differences rows={rows} />,
        onOk: async () => { const res = await approve({ input: { id, confirm: rows.length > 0 } }); if (report(res.data, res.error, "已通过")) done(); },
      });
    },
    giveBack: async (id: string) => {
      const rows = await differences(id);
      if (rows === null) return;
      let comment = "";
      modal.confirm({
        title: "退回：请填写意见", width: 560, okText: "退回", cancelText: "取消",
        content: (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Differences rows={rows} />
            <Input.TextArea aria-label="退回意见" onChange={(e) => (comment = e.target.value)} />
          </Space>
        ),
        onOk: async () => { const res = await giveBack({ input: { id, comment } }); if (report(res.data, res.error, "已退回")) done(); },
      });
    },
  };
}

/** 报送: report requests (opened by a superior; who submitted, who is late or missing; approve or return) and
 * one's own reports (pre-filled from the live rollup, edited, submitted). */
export function ReportsPage() {
  const session = useSession();
  const [requestId, setRequestId] = useState<string | null>(null);
  const [reportId, setReportId] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  const url = useUrlState();
  const tab = url.get("tab") ?? "requests";
  const requests = useConnection({ query: ReportRequestsDocument, variables: {}, pick: (d) => d.reportRequests, pageKey: "rp" });
  const reports = useConnection({ query: ReportsDocument, variables: {}, pick: (d) => d.reports, pageKey: "p" });
  const reload = () => { requests.refetch(); reports.refetch(); };
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap" }}>
        <Typography.Title level={4} style={{ margin: 0 }}>报送</Typography.Title>
        {session.can("rollups.approve_report") && <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpening(true)}>发起报送</Button>}
      </Space>
      <Tabs activeKey={tab} onChange={(k) => url.set({ tab: k === "requests" ? undefined : k })} items={[
        {
          key: "requests", label: `报送任务（${requests.total}）`,
          children: <ConnectionTable testId="report-requests" list={requests} unit="项" columns={[
              { title: "标题", dataIndex: "title", render: (v, r) => <ActionLink onClick={() => setRequestId(r.id)}>{v}</ActionLink> },
              { title: "发起", dataIndex: "organizationName" },
              { title: "期间", render: (_, r) => `${r.startsOn} ~ ${r.endsOn}` },
              { title: "截止", dataIndex: "deadline", render: (v, r) => (r.overdue ? <Tag color="red">{v} 已截止</Tag> : v) },
              { title: "报送单位", dataIndex: "addresseeNames", render: (v: string[]) => v.join("、") },
          ]} />,
        },
        {
          key: "reports", label: `报送记录（${reports.total}）`,
          children: <ConnectionTable testId="reports" list={reports} unit="份" columns={[
              { title: "任务", render: (_, r) => <ActionLink onClick={() => setReportId(r.id)}>{r.request.title}</ActionLink> },
              { title: "报送单位", dataIndex: "organizationName" },
              { title: "状态", dataIndex: "state", render: stateTag },
              { title: "截止", render: (_, r) => r.request.deadline },
              { title: "提交", dataIndex: "submittedAt", render: (v) => (v ? dayjs(v).format("YYYY-MM-DD HH:mm") : "—") },
          ]} />,
        },
      ]} />
      <RequestDrawer id={requestId} onClose={() => setRequestId(null)} onOpenReport={setReportId} onChanged={reload} />
      <ReportDrawer id={reportId} onClose={() => { setReportId(null); reload(); }} />
      <OpenRequestModal open={opening} onClose={() => { setOpening(false); reload(); }} />
    </>
  );
}

function RequestDrawer({ id, onClose, onOpenReport, onChanged }: { id: string | null; onClose: () => void; onOpenReport: (id: string) => void; onChanged: () => void }) {
  const session = useSession();
  const [{ data }, refetch] = useQuery({ query: ReportRequestDetailDocument, variables: { id: id ?? "" }, pause: !id, requestPolicy: "network-only" });
  const [, save] = useMutation(SaveReportDocument);
  const [, exportReport] = useMutation(ExportReportDocument);
  const [exportJob, setExportJob] = useState<string | null>(null);
  const report = useReport();
  const r = data?.reportRequest;
  const done = () => { refetch({ requestPolicy: "network-only" }); onChanged(); };
  const review = useReview(done);
  const mine = new Set(session.me?.memberships.map((m) => m.organization.id));
  const own = session.current?.organization;
  return (
    <Drawer open={!!id} onClose={() => { setExportJob(null); onClose(); }} title={r?.title} width={Math.min(760, window.innerWidth)}>
      {r && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="发起">{r.organizationName} · {r.openedBy}</Descriptions.Item>
            <Descriptions.Item label="期间">{r.startsOn} ~ {r.endsOn}{r.campaignTitle ? `（${r.campaignTitle}）` : ""}</Descriptions.Item>
            <Descriptions.Item label="截止">{r.deadline}</Descriptions.Item>
            <Descriptions.Item label="说明">{r.instructions || "—"}</Descriptions.Item>
          </Descriptions>
          <Space>
            <Button onClick={async () => {
              const res = await exportReport({ input: { requestId: r.id } });
              if (report(res.data, res.error, "已开始导出")) setExportJob(res.data!.exportReport.job!.id);
            }}>导出 Excel</Button>
          </Space>
          {exportJob && <JobProgress jobId={exportJob} />}
          {!r.status && own && r.addresseeNames.includes(own.name) && (
            <Button type="primary" data-testid="fill-report" onClick={async () => {
              const res = await save({ input: { requestId: r.id, organizationId: own.id } });
              if (report(res.data, res.error, "已打开本单位报送")) { done(); onOpenReport(res.data!.saveReport.report!.id); }
            }}>填报（{own.name}）</Button>
          )}
          {r.status && <Typography.Title level={5}>报送情况</Typography.Title>}
          {r.status && <Table size="small" rowKey="organizationId" pagination={false} scroll={{ x: true }} dataSource={r.status} data-testid="report-status"
            columns={[
              { title: "单位", dataIndex: "organizationName" },
              { title: "状态", render: (_, s) => <Space size={4}>{stateTag(s.state)}{s.missing && <Tag color="red">未报</Tag>}{s.late && <Tag color="volcano">逾期</Tag>}</Space> },
              { title: "提交", dataIndex: "submittedAt", render: (v) => (v ? dayjs(v).format("MM-DD HH:mm") : "—") },
              {
                title: "操作",
                render: (_, s) => (
                  <Space size={4} wrap>
                    {s.reportId && <Button size="small" onClick={() => onOpenReport(s.reportId!)}>查看</Button>}
                    {!s.reportId && mine.has(s.organizationId) && (
                      <Button size="small" type="primary" onClick={async () => {
                        const res = await save({ input: { requestId: r.id, organizationId: s.organizationId, refill: true } });
                        if (report(res.data, res.error, "已按统计预填草稿")) { done(); onOpenReport(res.data!.saveReport.report!.id); }
                      }}>填报</Button>
                    )}
                    {s.reportId && s.state === "SUBMITTED" && session.can("rollups.approve_report") && !mine.has(s.organizationId) && (
                      <>
                        <Button size="small" type="primary" ghost onClick={() => review.approve(s.reportId!)}>通过</Button>
                        <Button size="small" danger onClick={() => review.giveBack(s.reportId!)}>退回</Button>
                      </>
                    )}
                  </Space>
                ),
              },
            ]} />}
        </Space>
      )}
    </Drawer>
  );
}

function ReportDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const [{ data }, refetch] = useQuery({ query: ReportEditorDocument, variables: { id: id ?? "" }, pause: !id, requestPolicy: "network-only" });
  const [, save] = useMutation(SaveReportDocument);
  const [, submit] = useMutation(SubmitReportDocument);
  const [, withdraw] = useMutation(WithdrawReportDocument);
  const [edits, setEdits] = useState<Record<string, number | null>>({});
  const [narrative, setNarrative] = useState<string | null>(null);
  const report = useReport();
  const r = data?.report;
  const reload = () => { setEdits({}); setNarrative(null); refetch({ requestPolicy: "network-only" }); };
  const saveDraft = async (refill = false) => {
    if (!r?.organization) return false;
    const figures = Object.entries(edits).filter(([, v]) => v !== null).map(([metric, value]) => ({ metric, value: String(value) }));
    const res = await save({ input: { requestId: r.request.id, organizationId: r.organization.id, narrative, figures: figures.length ? figures : null, refill } });
    const ok = report(res.data, res.error, refill ? "已重新预填" : "已保存");
    if (ok) reload();
    return ok;
  };
  return (
    <Drawer open={!!id} onClose={onClose} title={r ? `${r.request.title} · ${r.organizationName}` : "报送"} width={Math.min(680, window.innerWidth)}>
      {r && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Space wrap>{stateTag(r.state)}<Typography.Text type="secondary">预填于 {dayjs(r.filledAt).format("YYYY-MM-DD HH:mm")}（统计 {dayjs(r.rollup.computedAt).format("MM-DD HH:mm")}）</Typography.Text></Space>
          {r.returnComment && r.state === "RETURNED" && <Alert type="warning" showIcon message={`退回意见：${r.returnComment}`} />}
          <Table size="small" rowKey="metric" pagination={false} dataSource={r.figures}
            columns={[
              { title: "数据项", dataIndex: "metric", render: (v) => metricLabel(v, label) },
              { title: "数值", dataIndex: "value", render: (v, f) => (r.editable ? <InputNumber value={edits[f.metric] ?? Number(v)} onChange={(n) => setEdits((e) => ({ ...e, [f.metric]: n }))} /> : v) },
            ]} />
          <Input.TextArea rows={4} placeholder="情况说明" value={narrative ?? r.narrative} disabled={!r.editable} onChange={(e) => setNarrative(e.target.value)} />
          {r.editable && (
            <Space wrap>
              <Button onClick={() => saveDraft()}>保存草稿</Button>
              <Popconfirm title="按最新统计重新预填？已修改的数值会被覆盖" onConfirm={() => saveDraft(true)}><Button>重新预填</Button></Popconfirm>
              <Button type="primary" onClick={async () => {
                if ((Object.keys(edits).length || narrative !== null) && !(await saveDraft())) return;
                const res = await submit({ input: { id: r.id } });
                if (report(res.data, res.error, "已提交")) reload();
              }}>提交</Button>
            </Space>
          )}
          {r.state === "SUBMITTED" && <Button onClick={async () => { const res = await withdraw({ input: { id: r.id } }); if (report(res.data, res.error, "已撤回")) reload(); }}>撤回</Button>}
        </Space>
      )}
    </Drawer>
  );
}

function OpenRequestModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm();
  const session = useSession();
  const [{ fetching }, openRequest] = useMutation(OpenReportRequestDocument);
  const [kind, setKind] = useState<"QUARTER" | "YEAR">("QUARTER");
  const report = useReport();
  return (
    <Modal title="发起报送" open={open} onCancel={onClose} onOk={() => form.submit()} confirmLoading={fetching} okText="发起" destroyOnClose>
      <Form form={form} layout="vertical" initialValues={{ organizationId: session.current?.organization.id, period: dayjs() }}
        onFinish={async (v: { organizationId: string; title: string; deadline: dayjs.Dayjs; period: dayjs.Dayjs; instructions?: string }) => {
          const res = await openRequest({ input: {
            organizationId: v.organizationId, title: v.title, deadline: v.deadline.format("YYYY-MM-DD"), instructions: v.instructions ?? "",
            period: { kind, year: v.period.year(), number: kind === "QUARTER" ? Math.floor(v.period.month() / 3) + 1 : null },
          } });
          if (report(res.data, res.error, "已发起，发给全部直属下级")) onClose();
        }}>
        <Form.Item name="organizationId" label="发起组织" rules={[{ required: true }]}><OrgSelect /></Form.Item>
        <Form.Item name="title" label="标题" rules={[{ required: true, message: "请填写标题" }]}><Input /></Form.Item>
        <Form.Item label="期间">
          <Space><Segmented value={kind} onChange={(k) => setKind(k as typeof kind)} options={[{ value: "QUARTER", label: "季度" }, { value: "YEAR", label: "年" }]} />
            <Form.Item name="period" noStyle><DatePicker picker={kind === "YEAR" ? "year" : "quarter"} allowClear={false} /></Form.Item></Space>
        </Form.Item>
        <Form.Item name="deadline" label="截止日期" rules={[{ required: true, message: "请选择截止日期" }]}><DatePicker /></Form.Item>
        <Form.Item name="instructions" label="说明"><Input.TextArea /></Form.Item>
      </Form>
    </Modal>
  );
}
