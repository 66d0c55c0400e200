import { useEffect } from "react";
import { Button, Progress, Table, Typography } from "antd";
import dayjs from "dayjs";
import { useQuery } from "urql";
import { MyJobsDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { RequestError } from "../components/common";
import { jobPercent, resultExpired } from "../components/JobProgress";

/** 任务: one's background jobs with progress (refreshed while any runs) and result downloads. */
export function JobsPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyJobsDocument, variables: { first: 50 }, requestPolicy: "network-only" });
  const jobs = data?.myJobs.edges.map((e) => e.node) ?? [];
  const running = jobs.some((j) => j.state === "QUEUED" || j.state === "RUNNING");
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => refetch({ requestPolicy: "network-only" }), 2000);
    return () => clearInterval(timer);
  }, [running, refetch]);
  return (
    <>
      <Typography.Title level={4}>任务</Typography.Title>
      <RequestError error={error} />
      <Table
        data-testid="jobs"
        size="small" rowKey="id" loading={fetching && !data} dataSource={jobs} scroll={{ x: true }} pagination={false}
        columns={[
          { title: "任务", dataIndex: "kind", render: (v) => label("JobKind", v) },
          { title: "状态", dataIndex: "state", render: (v) => label("JobState", v) },
          { title: "进度", render: (_, j) => <Progress style={{ minWidth: 120 }} size="small" percent={jobPercent(j.progressDone, j.progressTotal, j.state)} status={j.state === "FAILED" ? "exception" : undefined} /> },
          { title: "说明", render: (_, j) => j.error || j.message },
          { title: "创建", dataIndex: "createdAt", render: (v) => dayjs(v).format("MM-DD HH:mm:ss") },
          { title: "完成", dataIndex: "finishedAt", render: (v) => (v ? dayjs(v).format("MM-DD HH:mm:ss") : "—") },
          { title: "结果", render: (_, j) => (j.resultUrl ? <Button size="small" href={j.resultUrl}>下载</Button> : resultExpired(j) ? "已过期" : "—") },
        ]}
      />
    </>
  );
}
