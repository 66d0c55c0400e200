import { useState } from "react";
import { Button, DatePicker, Input, Modal, Popover, Select, Space, Typography } from "antd";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { AuditEntriesDocument, CatalogDocument, ExportAuditLogDocument, type AuditEntriesQuery } from "../gql/graphql";
import { useUrlState } from "../lib/urlState";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { OrgSelect } from "../components/OrgSelect";
import { JobProgress } from "../components/JobProgress";
import { useReport } from "../components/common";

type Entry = NonNullable<AuditEntriesQuery["auditEntries"]>["edges"][number]["node"];

const CJK = /[\u4e00-\u9fff]/;

/** The readable part of an entry's changes (as the server masked them for this reader): the values written in
 * Chinese (names, reasons, organizations), the full record behind 详情. */
function changesSummary(changes: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") { if (CJK.test(v)) out.push(v); } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(changes);
  return [...new Set(out)];
}

function Changes({ entry }: { entry: Entry }) {
  const summary = changesSummary(entry.changes);
  const empty = !entry.changes || (typeof entry.changes === "object" && Object.keys(entry.changes as object).length === 0);
  return (
    <Space size={4} wrap>
      <span data-testid="audit-changes">{summary.join("；").slice(0, 80) || (empty ? "—" : "")}</span>
      {!empty && (
        <Popover trigger="click" title="变更详情（已按您的权限脱敏）" content={<pre style={{ maxWidth: 420, maxHeight: 300, overflow: "auto", margin: 0, whiteSpace: "pre-wrap" }}>{JSON.stringify(entry.changes, null, 2)}</pre>}>
          <a role="button" tabIndex={0}>详情</a>
        </Popover>
      )}
    </Space>
  );
}

/** 操作日志 for auditors (and org admins): who did what, where and when, filtered by actor, action, organization and
 * date; a child's personal data masked unless the reader may see it there; the same list as an Excel export. */
export function AuditLogPage() {
  const url = useUrlState();
  const report = useReport();
  const [{ data: catalog }] = useQuery({ query: CatalogDocument });
  const since = url.get("since");
  const until = url.get("until");
  const filters = {
    organization: url.get("organization"), action: url.get("action"), actor: url.get("actor"),
    since: since ? dayjs(since).startOf("day").toISOString() : undefined,
    until: until ? dayjs(until).add(1, "day").startOf("day").toISOString() : undefined,
  };
  const list = useConnection({ query: AuditEntriesDocument, variables: { filters }, pick: (d) => d.auditEntries });
  const [{ fetching }, exportLog] = useMutation(ExportAuditLogDocument);
  const [jobId, setJobId] = useState<string | null>(null);
  return (
    <>
      <Typography.Title level={4}>操作日志</Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder="操作人（姓名或用户名）" aria-label="操作人" defaultValue={url.get("actor")} onSearch={(v) => url.set({ actor: v.trim() })} style={{ width: 200 }} />
        <Select allowClear showSearch optionFilterProp="label" placeholder="操作" aria-label="操作" style={{ width: 180 }}
          value={url.get("action")} onChange={(v) => url.set({ action: v })} options={catalog?.catalog.auditActions ?? []} />
        <OrgSelect allowClear placeholder="组织（含下级）" value={url.get("organization")} onChange={(v) => url.set({ organization: v })} />
        <DatePicker.RangePicker aria-label="日期" value={since && until ? [dayjs(since), dayjs(until)] : null}
          onChange={(range) => url.set({ since: range?.[0]?.format("YYYY-MM-DD"), until: range?.[1]?.format("YYYY-MM-DD") })} />
        <Button loading={fetching} onClick={async () => {
          const r = await exportLog({ input: { organizationId: filters.organization, action: filters.action, actor: filters.actor, since: filters.since, until: filters.until } });
          const job = r.data?.exportAuditLog.job;
          if (report(r, r.data?.exportAuditLog) && job) setJobId(job.id);
        }}>导出 Excel</Button>
      </Space>
      <ConnectionTable testId="audit-log" list={list} unit="条" emptyText="没有符合条件的记录" columns={[
        { title: "时间", dataIndex: "createdAt", render: (v) => dayjs(v).format("YYYY-MM-DD HH:mm:ss") },
        { title: "操作人", dataIndex: "actorLabel" },
        { title: "操作", dataIndex: "actionLabel" },
        { title: "对象", dataIndex: "targetLabel" },
        { title: "组织", render: (_, e) => e.organization?.name ?? "—" },
        { title: "内容", render: (_, e) => <Changes entry={e} /> },
      ]} />
      <Modal title="导出操作日志" open={!!jobId} onCancel={() => setJobId(null)} footer={null} destroyOnClose>
        {jobId && <JobProgress jobId={jobId} resultLabel="下载 Excel" />}
      </Modal>
    </>
  );
}
