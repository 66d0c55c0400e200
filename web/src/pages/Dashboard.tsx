import { useMemo, useState } from "react";
import { Alert, App, Button, Dropdown, Card, Col, DatePicker, Empty, Row, Segmented, Space, Statistic, Table, Typography, Breadcrumb } from "antd";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { ExportLedgerDocument, RollupBreakdownDocument, RollupDashboardDocument, type BreakdownBy, type PeriodInput, type RollupFiguresFragment } from "../gql/graphql";
import { useSession } from "../lib/session";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { JobProgress } from "../components/JobProgress";
import { divisionName, money, percent, ratio } from "../lib/figures";
import { RequestError, ActionLink, clickableRow } from "../components/common";
import { Chart } from "../components/Chart";
import { OrgSelect } from "../components/OrgSelect";

const WISH_STEPS: [keyof RollupFiguresFragment["wishes"], string][] = [
  ["collected", "征集"], ["published", "公示"], ["claimed", "认领"], ["delivered", "发放"], ["fulfilled", "圆梦"], ["escalated", "交上级"], ["closed", "无法实现"],
];

function keyCounts(rows: readonly { key: string; label: string; count: number }[]) {
  return <Space wrap size="large">{rows.map((r) => <span key={r.key}>{r.label}：{r.count}</span>)}</Space>;
}

/** 统计: a subtree's figures for a period, charts, and the drill-down table by sub-organization or division. */
export function DashboardPage() {
  const session = useSession();
  const [trail, setTrail] = useState<{ id: string; name: string }[]>([]);
  const [picked, setPicked] = useState<string | undefined>();
  const [kind, setKind] = useState<"YEAR" | "QUARTER" | "MONTH">("YEAR");
  const [when, setWhen] = useState(dayjs());
  const [by, setBy] = useState<BreakdownBy>("CHILD_ORGANIZATION");
  const base = session.current?.organization;
  const organizationId = trail.length ? trail[trail.length - 1].id : picked ?? base?.id ?? "";
  const period: PeriodInput = useMemo(
    () => ({ kind, year: when.year(), number: kind === "MONTH" ? when.month() + 1 : kind === "QUARTER" ? Math.floor(when.month() / 3) + 1 : null }),
    [kind, when],
  );
  const [{ data, fetching, error }] = useQuery({ query: RollupDashboardDocument, variables: { organizationId, period }, pause: !organizationId });
  const [{ data: rows, fetching: loadingRows }] = useQuery({ query: RollupBreakdownDocument, variables: { organizationId, period, by }, pause: !organizationId });
  const figures = data?.rollup.rollup;
  const problem = payloadErrorMessage(data?.rollup.errors);
  const breakdown = rows?.rollupBreakdown.rows ?? [];
  const [, exportLedger] = useMutation(ExportLedgerDocument);
  const [ledgerJob, setLedgerJob] = useState<string | null>(null);
  const { message } = App.useApp();
  const startLedger = async (ledger: string) => {
    const result = await exportLedger({ input: { ledger: ledger as never, organizationId } });
    const failed = payloadErrorMessage(result.data?.exportLedger.errors) ?? requestErrorMessage(result.error);
    if (failed) message.error(failed);
    else setLedgerJob(result.data!.exportLedger.job!.id);
  };

  const wishOption = useMemo(() => figures && {
    tooltip: {}, grid: { left: 40, right: 10, bottom: 30, top: 20 },
    xAxis: { type: "category", data: WISH_STEPS.map(([, l]) => l) }, yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: WISH_STEPS.map(([k]) => figures.wishes[k]), itemStyle: { color: "#c8161d" }, label: { show: true, position: "top" } }],
  }, [figures]);
  const childOption = useMemo(() => figures && {
    tooltip: { trigger: "item" }, legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], data: figures.children.byCategory.map((c) => ({ name: c.label, value: c.count })), label: { formatter: "{b}: {c}" } }],
  }, [figures]);
  const drillOption = useMemo(() => ({
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, bottom: 60, top: 30 },
    xAxis: { type: "category", data: breakdown.map((r) => (by === "DIVISION" ? divisionName(r.name, r.organizationNames) : r.name)), axisLabel: { rotate: 30 } }, yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "儿童", type: "bar", data: breakdown.map((r) => r.rollup.children.total) },
      { name: "心愿征集", type: "bar", data: breakdown.map((r) => r.rollup.wishes.collected) },
      { name: "圆梦", type: "bar", data: breakdown.map((r) => r.rollup.wishes.fulfilled) },
    ],
  }), [breakdown, by]);

  if (!base) return <Empty description="您没有任职组织" />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size="middle">
      <Space wrap style={{ width: "100%", justifyContent: "space-between" }}>
        <Typography.Title level={4} style={{ margin: 0 }}>统计</Typography.Title>
        <Space wrap>
          <OrgSelect value={trail.length ? undefined : picked ?? base.id} onChange={(id) => { setPicked(id); setTrail([]); }} />
          <Segmented value={kind} onChange={(v) => setKind(v as typeof kind)} options={[{ value: "YEAR", label: "年" }, { value: "QUARTER", label: "季度" }, { value: "MONTH", label: "月" }]} />
          <DatePicker picker={kind === "YEAR" ? "year" : kind === "QUARTER" ? "quarter" : "month"} value={when} onChange={(d) => d && setWhen(d)} allowClear={false} />
          <Dropdown menu={{ items: [["WISHES", "微心愿台账"], ["HAPPY_HOMES", "快乐家园台账"], ["ACTIVITIES", "活动台账"], ["VOLUNTEERS", "志愿者台账"]].map(([key, text]) => ({ key, label: text })), onClick: ({ key }) => startLedger(key) }}>
            <Button>导出台账</Button>
          </Dropdown>
        </Space>
      </Space>
      {trail.length > 0 && (
        <Breadcrumb items={[{ title: <ActionLink onClick={() => setTrail([])}>返回</ActionLink> }, ...trail.map((t, i) => ({ title: <ActionLink onClick={() => setTrail(trail.slice(0, i + 1))}>{t.name}</ActionLink> }))]} />
      )}
      {ledgerJob && <Alert message="台账导出" description={<JobProgress jobId={ledgerJob} resultLabel="下载台账" />} closable onClose={() => setLedgerJob(null)} />}
      <RequestError error={error} />
      {problem && <Alert type="warning" showIcon message={problem} />}
      {figures && (
        <>
          <Typography.Text type="secondary" data-testid="rollup-freshness">
            {figures.startsOn} 至 {figures.endsOn} · 数据更新于 {dayjs(figures.computedAt).format("YYYY-MM-DD HH:mm")}
            {` · 待汇总 ${figures.pendingChanges} 项`}
          </Typography.Text>
          <Row gutter={[12, 12]} data-testid="rollup-figures">
            <Col xs={12} md={6}><Card size="small"><Statistic title="在册儿童" value={figures.children.total} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="心愿征集" value={figures.wishes.collected} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="圆梦率" value={percent(figures.wishes.fulfilmentRate)} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="快乐家园" value={figures.happyHomes.sites} suffix={`个 · 未达标 ${figures.happyHomes.belowStandard}`} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="志愿者 / 服务儿童" value={ratio(figures.happyHomes.volunteerRatio)} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="七彩假期服务点" value={figures.holiday.servicePoints} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="服务时长（小时）" value={money(figures.holiday.serviceHours)} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="募集资金（元）" value={money(figures.holiday.moneyRaised)} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="结对（逾期）" value={figures.pairings.active} suffix={`(${figures.pairings.overdue})`} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="登记志愿者" value={figures.volunteersRegistered} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="期间活动" value={figures.activities} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="假期服务儿童" value={figures.holiday.childrenServed} /></Card></Col>
          </Row>
          <Row gutter={[12, 12]} data-testid="rollup-donors">
            <Col xs={12} md={6}><Card size="small"><Statistic title="认领心愿价值（元）" value={money(figures.wishes.claimedValue)} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="发放心愿价值（元）" value={money(figures.wishes.deliveredValue)} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="圆梦儿童" value={figures.wishes.childrenFulfilled} /></Card></Col>
            <Col xs={12} md={6}><Card size="small"><Statistic title="爱心人士 / 爱心单位" value={figures.donors.individuals} suffix={`/ ${figures.donors.units}`} /></Card></Col>
            <Col xs={24}><Card size="small" title="结对方式">{keyCounts(figures.pairings.byKind)}</Card></Col>
          </Row>
          {figures.cases && (
            <Row gutter={[12, 12]} data-testid="rollup-cases">
              <Col xs={12} md={6}><Card size="small"><Statistic title="高风险儿童" value={figures.cases.highRisk} /></Card></Col>
              <Col xs={12} md={6}><Card size="small"><Statistic title="未处置完毕的事件" value={figures.cases.openIncidents} /></Card></Col>
              <Col xs={12} md={6}><Card size="small"><Statistic title="心理疏导次数" value={figures.cases.counsellingSessions} /></Card></Col>
              <Col xs={12} md={6}><Card size="small"><Statistic title="资助金额（元）" value={money(figures.cases.aidPaid)} /></Card></Col>
              <Col xs={24}><Card size="small" title="转介">{keyCounts(figures.cases.referralsByStatus)}</Card></Col>
            </Row>
          )}
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}><Card size="small" title="微心愿各环节"><Chart option={wishOption!} testId="chart-wishes" /></Card></Col>
            <Col xs={24} lg={12}><Card size="small" title="儿童类别"><Chart option={childOption!} testId="chart-children" /></Card></Col>
          </Row>
        </>
      )}
      <Card size="small" title="下钻" extra={<Segmented value={by} onChange={(v) => setBy(v as BreakdownBy)} options={[{ value: "CHILD_ORGANIZATION", label: "按直属下级" }, { value: "DIVISION", label: "按区划（跨系统）" }]} />}>
        {breakdown.length > 0 && <Chart option={drillOption} height={280} testId="chart-breakdown" />}
        <Table
          data-testid="rollup-breakdown"
          size="small" rowKey="key" loading={loadingRows || fetching} dataSource={breakdown} pagination={false} scroll={{ x: true }}
          onRow={(r) => (by === "CHILD_ORGANIZATION" ? clickableRow(() => setTrail([...trail, { id: r.key, name: r.name }])) : {})}
          columns={[
            { title: by === "DIVISION" ? "区划" : "下级组织", dataIndex: "name", render: (v, r) => (by === "DIVISION" ? <>{divisionName(v, r.organizationNames)}<Typography.Text type="secondary">（{v}：{r.organizationNames.join("、")}）</Typography.Text></> : <a>{v}</a>) },
            { title: "儿童", render: (_, r) => r.rollup.children.total },
            { title: "心愿征集", render: (_, r) => r.rollup.wishes.collected },
            { title: "圆梦", render: (_, r) => r.rollup.wishes.fulfilled },
            { title: "圆梦率", render: (_, r) => percent(r.rollup.wishes.fulfilmentRate) },
            { title: "快乐家园", render: (_, r) => r.rollup.happyHomes.sites },
            { title: "志愿者比", render: (_, r) => ratio(r.rollup.happyHomes.volunteerRatio) },
            { title: "服务点", render: (_, r) => r.rollup.holiday.servicePoints },
            { title: "服务时长", render: (_, r) => money(r.rollup.holiday.serviceHours) },
            { title: "结对", render: (_, r) => r.rollup.pairings.active },
          ]}
        />
      </Card>
    </Space>
  );
}
