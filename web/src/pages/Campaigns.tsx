import { useState } from "react";
import { Descriptions, Drawer, Empty, Image, Space, Table, Tabs, Tag, Typography } from "antd";
import { useQuery } from "urql";
import { Link, useParams } from "react-router-dom";
import { ActivitiesDocument, ActivityDetailDocument, CampaignDetailDocument, CampaignsDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { RequestError, ActionLink } from "../components/common";

/** 行动与活动: campaigns with their notices, and activities with photos. */
export function CampaignsPage() {
  const [{ data, fetching, error }] = useQuery({ query: CampaignsDocument, variables: { first: 100 } });
  const [{ data: acts, fetching: loadingActs }] = useQuery({ query: ActivitiesDocument, variables: { first: 100 } });
  const [openId, setOpenId] = useState<string | null>(null);
  const [{ data: detail }] = useQuery({ query: CampaignDetailDocument, variables: { id: openId ?? "" }, pause: !openId });
  const c = detail?.campaign;
  return (
    <>
      <Typography.Title level={4}>行动与活动</Typography.Title>
      <RequestError error={error} />
      <Tabs items={[
        {
          key: "campaigns", label: "行动",
          children: <Table size="small" rowKey="id" loading={fetching} scroll={{ x: true }} dataSource={data?.campaigns.edges.map((e) => e.node) ?? []}
            columns={[
              { title: "行动", dataIndex: "title", render: (v, r) => <ActionLink onClick={() => setOpenId(r.id)}>{v}</ActionLink> },
              { title: "发起", dataIndex: "announcerName" },
              { title: "起止", render: (_, r) => `${r.startsOn} ~ ${r.endsOn}` },
              { title: "报送截止", dataIndex: "reportDeadline", render: (v, r) => (r.reportOverdue ? <Tag color="red">{v} 已逾期</Tag> : v) },
            ]} />,
        },
        {
          key: "activities", label: "活动",
          children: <Table size="small" rowKey="id" loading={loadingActs} scroll={{ x: true }} dataSource={acts?.activities.edges.map((e) => e.node) ?? []}
            columns={[
              { title: "活动", dataIndex: "title", render: (v, r) => <Link to={`/activities/${r.id}`}>{v}</Link> },
              { title: "类型", dataIndex: "kind", render: (v) => label("ActivityKind", v) },
              { title: "日期", dataIndex: "heldOn" },
              { title: "地点", dataIndex: "place" },
              { title: "行动", dataIndex: "campaignTitle" },
              { title: "儿童", dataIndex: "childrenCount" },
              { title: "志愿者", dataIndex: "volunteersCount" },
              { title: "组织", render: (_, r) => r.organization?.name },
            ]} />,
        },
      ]} />
      <Drawer open={!!openId} onClose={() => setOpenId(null)} title={c?.title} width={Math.min(640, window.innerWidth)}>
        {c && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="发起">{c.announcerName}</Descriptions.Item>
              <Descriptions.Item label="覆盖">{c.coveredOrganizationNames.join("、")}</Descriptions.Item>
              <Descriptions.Item label="起止">{c.startsOn} ~ {c.endsOn}</Descriptions.Item>
              <Descriptions.Item label="报送截止">{c.reportDeadline}</Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5}>{c.noticeTitle}</Typography.Title>
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }}>{c.noticeText}</Typography.Paragraph>
            <Image.PreviewGroup><Space wrap>{c.attachments.map((a, i) => <Image key={i} width={140} src={a.url} alt="通知附件" />)}</Space></Image.PreviewGroup>
          </Space>
        )}
      </Drawer>
    </>
  );
}

export function ActivityDetailPage() {
  const { id = "" } = useParams();
  const [{ data, error }] = useQuery({ query: ActivityDetailDocument, variables: { id } });
  const a = data?.activity;
  if (!a) return <><RequestError error={error} /><Empty description="活动不存在或无权查看" /></>;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Title level={4}><Link to="/campaigns">行动与活动</Link> / {a.title}</Typography.Title>
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label="类型">{label("ActivityKind", a.kind)}</Descriptions.Item>
        <Descriptions.Item label="日期">{a.heldOn}</Descriptions.Item>
        <Descriptions.Item label="地点">{a.place}</Descriptions.Item>
        <Descriptions.Item label="行动">{a.campaignTitle || "—"}</Descriptions.Item>
        <Descriptions.Item label="站点">{a.siteName || "—"}</Descriptions.Item>
        <Descriptions.Item label="记录人">{a.recordedBy}</Descriptions.Item>
        <Descriptions.Item label="参加儿童">{a.children.map((c) => c.name).join("、") || "—"}</Descriptions.Item>
        <Descriptions.Item label="志愿者">{a.volunteerNames.join("、") || "—"}</Descriptions.Item>
      </Descriptions>
      <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }}>{a.narrative}</Typography.Paragraph>
      <Image.PreviewGroup><Space wrap>{a.photos.map((p, i) => <Image key={i} width={140} src={p.url} alt="活动照片" />)}</Space></Image.PreviewGroup>
    </Space>
  );
}
