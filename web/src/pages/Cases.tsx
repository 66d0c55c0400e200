import { Tabs, Tag, Typography } from "antd";
import { Link } from "react-router-dom";
import { CasesDocument, IncidentsDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { useUrlState } from "../lib/urlState";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { RiskTag } from "./ChildCase";

/** 个案保护: the county's high-risk children, overdue reassessments, open incidents and every case in scope (for a
 * partner unit: the cases referred to it), each paged by the server. */
export function CasesPage() {
  const url = useUrlState();
  const tab = url.get("tab") ?? "high";
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 0 }}>个案保护</Typography.Title>
      <Tabs activeKey={tab} onChange={(k) => url.set({ tab: k === "high" ? undefined : k })} destroyInactiveTabPane items={[
        { key: "high", label: "高风险儿童", children: <CaseList filters={{ riskLevel: "HIGH", status: "OPEN" }} testId="high-risk" /> },
        { key: "overdue", label: "复评逾期", children: <CaseList filters={{ overdueReassessment: true }} testId="overdue" /> },
        { key: "incidents", label: "未结事件", children: <IncidentList /> },
        { key: "all", label: "全部个案", children: <CaseList filters={{}} testId="all-cases" /> },
      ]} />
    </>
  );
}

function CaseList({ filters, testId }: { filters: { riskLevel?: "HIGH"; status?: "OPEN"; overdueReassessment?: boolean }; testId: string }) {
  const list = useConnection({ query: CasesDocument, variables: { filters }, pick: (d) => d.cases });
  return (
    <ConnectionTable testId={testId} list={list} unit="人" emptyText="暂无" columns={[
      { title: "儿童", render: (_, c) => <Link to={`/children/${c.childId}?tab=assessment`}>{c.childName}（{c.childAge}岁）</Link> },
      { title: "风险", dataIndex: "riskLevel", render: (v) => <RiskTag level={v} /> },
      { title: "下次评估", dataIndex: "nextAssessmentOn", render: (v, c) => (c.overdue ? <Tag color="red">已逾期 {v}</Tag> : v ?? "—") },
      { title: "个案", dataIndex: "status", render: (v) => label("CaseStatus", v) },
      { title: "组织", dataIndex: "organizationName" },
    ]} />
  );
}

function IncidentList() {
  const list = useConnection({ query: IncidentsDocument, variables: { filters: { open: true } }, pick: (d) => d.incidents });
  return (
    <ConnectionTable testId="open-incidents" list={list} unit="件" emptyText="暂无未结事件" columns={[
      { title: "儿童", render: (_, i) => <Link to={`/children/${i.childId}?tab=incidents`}>{i.childName}</Link> },
      { title: "类型", dataIndex: "kind", render: (v) => label("IncidentKind", v) },
      { title: "严重程度", dataIndex: "severity", render: (v) => <Tag color={v === "GRAVE" ? "red" : v === "SERIOUS" ? "orange" : undefined}>{label("IncidentSeverity", v)}</Tag> },
      { title: "发生日期", dataIndex: "occurredOn" },
      { title: "组织", dataIndex: "organizationName" },
      { title: "报告人", dataIndex: "reportedBy" },
    ]} />
  );
}
