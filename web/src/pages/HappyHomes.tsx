import { Badge, Card, Col, Descriptions, Empty, List, Row, Space, Table, Tag, Typography } from "antd";
import { useQuery } from "urql";
import { Link, useParams } from "react-router-dom";
import { HappyHomeDetailDocument, HappyHomesDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { RequestError } from "../components/common";

/** 快乐家园: sites with their standard checks. */
export function HappyHomesPage() {
  const [{ data, fetching, error }] = useQuery({ query: HappyHomesDocument, variables: { first: 100 } });
  return (
    <>
      <Typography.Title level={4}>快乐家园</Typography.Title>
      <RequestError error={error} />
      <Table data-testid="happy-homes" size="small" rowKey="id" loading={fetching} scroll={{ x: true }}
        dataSource={data?.happyHomes.edges.map((e) => e.node) ?? []}
        columns={[
          { title: "名称", dataIndex: "name", render: (v, h) => <Link to={`/happy-homes/${h.id}`}>{v}</Link> },
          { title: "组织", render: (_, h) => h.organization?.name },
          { title: "服务儿童", dataIndex: "childrenCount" },
          { title: "志愿者", dataIndex: "volunteersCount" },
          { title: "达标", dataIndex: "belowStandard", render: (v) => (v ? <Tag color="red">未达标</Tag> : <Tag color="green">达标</Tag>) },
        ]} />
    </>
  );
}

export function HappyHomeDetailPage() {
  const { id = "" } = useParams();
  const [{ data, error }] = useQuery({ query: HappyHomeDetailDocument, variables: { id } });
  const h = data?.happyHome;
  if (!h) return <><RequestError error={error} /><Empty description="站点不存在或无权查看" /></>;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Title level={4}><Link to="/happy-homes">快乐家园</Link> / {h.name}</Typography.Title>
      <Card size="small" title="达标检查" data-testid="standards">
        <List dataSource={h.standards} renderItem={(s) => (
          <List.Item><Badge status={s.met ? "success" : "error"} text={<b>{s.code}</b>} />&nbsp;{s.figure}<Typography.Text type="secondary" style={{ marginLeft: 8 }}>{s.explanation}</Typography.Text></List.Item>
        )} />
      </Card>
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label="组织">{h.organization?.name}</Descriptions.Item>
        <Descriptions.Item label="地址">{h.address}</Descriptions.Item>
        <Descriptions.Item label="建成">{h.openedOn ?? "—"}</Descriptions.Item>
        <Descriptions.Item label="面积（㎡）">{h.areaM2 ?? "—"}</Descriptions.Item>
        <Descriptions.Item label="开放">{[h.openAfterSchool && "课后", h.openWeekends && "周末", h.openHolidays && "节假日"].filter(Boolean).join("、") || "—"} {h.openingHours}</Descriptions.Item>
        <Descriptions.Item label="图书">{h.booksCount}</Descriptions.Item>
        <Descriptions.Item label="功能区">{h.corners.map((c, i) => <Tag key={i}>{c.name || label("CornerKind", c.kind)}{c.computers ? `（电脑 ${c.computers}）` : ""}</Tag>)}</Descriptions.Item>
        <Descriptions.Item label="人员">{h.staff.map((s, i) => <Tag key={i}>{label("HappyHomeStaffRole", s.role)} {s.name}</Tag>)}</Descriptions.Item>
        <Descriptions.Item label="监管小组">{h.supervisionGroup || "—"}</Descriptions.Item>
        <Descriptions.Item label="经费">{h.funding.map((f, i) => <div key={i}>{f.year} {f.source} {f.amount} 元</div>)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={[12, 12]}>
        <Col xs={24} md={12}><Card size="small" title={`服务儿童（${h.children.length}）`}><Table size="small" rowKey="id" pagination={{ pageSize: 10 }} dataSource={h.children} columns={[{ title: "姓名", dataIndex: "name" }, { title: "年龄", dataIndex: "age" }, { title: "学校", dataIndex: "school" }]} /></Card></Col>
        <Col xs={24} md={12}><Card size="small" title={`志愿者（${h.volunteers.length}）`}><Table size="small" rowKey="id" pagination={{ pageSize: 10 }} dataSource={h.volunteers} columns={[{ title: "姓名", dataIndex: "name" }, { title: "电话", dataIndex: "phone" }, { title: "来源", dataIndex: "origin", render: (v) => label("VolunteerOrigin", v) }]} /></Card></Col>
        <Col xs={24}><Card size="small" title="兴趣小组"><Table size="small" rowKey="id" pagination={false} dataSource={h.groups} columns={[{ title: "名称", dataIndex: "name" }, { title: "时间", dataIndex: "schedule" }, { title: "人数", dataIndex: "memberCount" }]} /></Card></Col>
      </Row>
    </Space>
  );
}
