import { useEffect } from "react";
import { Alert, Button, Progress, Space, Typography } from "antd";
import { useQuery } from "urql";
import { JobDocument } from "../gql/graphql";
import { label } from "../lib/labels";

const DONE = new Set(["SUCCEEDED", "FAILED"]);

export function jobPercent(done: number, total: number | null | undefined, state: string): number {
  if (state === "SUCCEEDED") return 100;
  if (!total) return 0;
  return Math.min(100, Math.floor((done / total) * 100));
}

/** A finished job's result is downloadable for an hour; then the server deletes it and resultUrl is null. */
export function resultExpired(job: { state: string; resultUrl?: string | null }): boolean {
  return job.state === "SUCCEEDED" && !job.resultUrl;
}

/** A background job's progress bar, polling job(id:) until it has finished, with its result link. */
export function JobProgress({ jobId, resultLabel = "下载结果" }: { jobId: string; resultLabel?: string }) {
  const [{ data }, reexecute] = useQuery({ query: JobDocument, variables: { id: jobId }, requestPolicy: "network-only" });
  const job = data?.job;
  const finished = job && DONE.has(job.state);

  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => reexecute({ requestPolicy: "network-only" }), 1000);
    return () => clearInterval(timer);
  }, [finished, reexecute]);

  if (!job) return <Progress percent={0} status="active" />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="job-progress" data-state={job.state}>
      <Progress
        percent={jobPercent(job.progressDone, job.progressTotal, job.state)}
        status={job.state === "FAILED" ? "exception" : job.state === "SUCCEEDED" ? "success" : "active"}
      />
      <Typography.Text>
        {label("JobState", job.state)}
        {job.progressTotal ? `：${job.progressDone} / ${job.progressTotal}` : ""}
        {job.message ? ` · ${job.message}` : ""}
      </Typography.Text>
      {job.state === "FAILED" && <Alert type="error" showIcon message={job.error || "任务失败"} />}
      {job.resultUrl && (
        <Button type="primary" href={job.resultUrl} data-testid="job-result">{resultLabel}</Button>
      )}
      {resultExpired(job) && <Typography.Text type="secondary">结果文件已过期删除（完成 1 小时后）</Typography.Text>}
    </Space>
  );
}
