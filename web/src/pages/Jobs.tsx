import { useEffect } from "react";
import { Button, Progress, Typography } from "antd";
import dayjs from "dayjs";
import { MyJobsDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { jobPercent, resultExpired } from "../components/JobProgress";

/** 任务: one's background jobs with progress (refreshed while any runs) and result downloads. */
export function JobsPage() {
  const list = useConnection({ query: MyJobsDocument, variables: {}, pick: (d) => d.myJobs });
  const running = list.rows.some((j) => j.state === "QUEUED" || j.state === "RUNNING");
  const { refetch } = list;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(refetch, 2000);
    return () => clearInterval(timer);
  }, [running, refetch]);
  return (
    <>
      <Typography.Title level={4}>任务</Typography.Title>
      <ConnectionTable testId="jobs" list={list} unit="个" emptyText="还没有任务" columns={[
          { title: "任务", dataIndex: "kind", render: (v) => label("JobKind", v) },
          { title: "状态", dataIndex: "state", render: (v) => label("JobState", v) },
          { title: "进度", render: (_, j) => <Progress style={{ minWidth: 120 }} size="small" percent={jobPercent(j.progressDone, j.progressTotal, j.state)} status={j.state === "FAILED" ? "exception" : undefined} /> },
          { title: "说明", render: (_, j) => j.error || j.message },
          { title: "创建", dataIndex: "createdAt", render: (v) => dayjs(v).format("YYYY-MM-DD HH:mm") },
          { title: "完成", dataIndex: "finishedAt", render: (v) => (v ? dayjs(v).format("YYYY-MM-DD HH:mm") : "—") },
          { title: "结果", render: (_, j) => (j.resultUrl ? <Button size="small" href={j.resultUrl}>下载</Button> : resultExpired(j) ? "已过期" : "—") },
        ]}
      />
    </>
  );
}
