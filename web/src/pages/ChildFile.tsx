import { Alert, Card, Col, Descriptions, Empty, Image, List, Row, Space, Spin, Table, Tag, Timeline, Typography } from "antd";
import { useQuery } from "urql";
import { Link, useParams } from "react-router-dom";
import { ChildFileDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { Pii, PiiTag, RequestError } from "../components/common";

/** A child's file: personal data (masked or clear), guardians, consent, follow-ups, growth record, photos. */
export function ChildFilePage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }] = useQuery({ query: ChildFileDocument, variables: { id } });
  const child = data?.child;
  if (fetching && !data) return <Spin />;
  if (!child) return <><RequestError error={error} /><Empty description="档案不存在或无权查看" /></>;
  const pii = child.piiVisible;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size="middle">
      <Typography.Title level={4} style={{ margin: 0 }}>
        <Link to="/children">儿童档案</Link> / <Pii value={child.name} piiVisible={pii} /> <PiiTag piiVisible={pii} />
      </Typography.Title>
      {child.anonymized && <Alert type="info" message="该档案已匿名化，仅保留类别、组织和出生年份。" />}
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
        <Descriptions.Item label="姓名"><Pii value={child.name} piiVisible={pii} /></Descriptions.Item>
        <Descriptions.Item label="性别">{label("Sex", child.sex)}</Descriptions.Item>
        <Descriptions.Item label="年龄">{child.age}</Descriptions.Item>
        <Descriptions.Item label="身份证号"><Pii value={child.idNumber} piiVisible={pii} /></Descriptions.Item>
        <Descriptions.Item label="出生日期">{child.birthDate ?? "—"}</Descriptions.Item>
        <Descriptions.Item label="状态">{label("ChildStatus", child.status)}</Descriptions.Item>
        <Descriptions.Item label="类别">{child.categories.map((c) => <Tag key={c}>{label("ChildCategory", c)}</Tag>)}</Descriptions.Item>
        <Descriptions.Item label="监护情况">{label("GuardianArrangement", child.guardianArrangement)}</Descriptions.Item>
        <Descriptions.Item label="组织">{child.organization?.name}</Descriptions.Item>
        <Descriptions.Item label="学校">{child.school} {child.grade}</Descriptions.Item>
        <Descriptions.Item label="住址"><Pii value={child.address} piiVisible={pii} /></Descriptions.Item>
        <Descriptions.Item label="父母务工地">{child.parentsWorkPlace || "—"}</Descriptions.Item>
        <Descriptions.Item label="需求">{child.needs.map((n) => <Tag key={n}>{label("ChildNeed", n)}</Tag>)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title="监护人" size="small">
            <Table size="small" rowKey={(_, i) => String(i)} pagination={false} dataSource={child.guardians}
              columns={[
                { title: "姓名", dataIndex: "name", render: (v) => <Pii value={v} piiVisible={pii} /> },
                { title: "关系", dataIndex: "relation" },
                { title: "电话", dataIndex: "phone", render: (v) => <Pii value={v} piiVisible={pii} /> },
              ]} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="监护人同意（个人信息保护法）" size="small">
            {child.consent ? (
              <Descriptions size="small" column={1}>
                <Descriptions.Item label="同意人">{child.consent.givenBy}（{child.consent.relation}）{child.consent.givenOn}</Descriptions.Item>
                <Descriptions.Item label="登记">{child.consent.registry ? "同意" : "未同意"}</Descriptions.Item>
                <Descriptions.Item label="照片">{child.consent.photos ? "同意" : "未同意"}</Descriptions.Item>
                <Descriptions.Item label="向合作单位共享">{child.consent.partnerSharing ? "同意" : "未同意"}</Descriptions.Item>
              </Descriptions>
            ) : <Empty description="未登记同意" />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="走访记录" size="small">
            {pii ? (
              <Timeline items={child.followUps.map((f) => ({ children: <><b>{f.visitedOn}</b> {f.kind} · {f.author}<div>{f.note}</div></> }))} />
            ) : <Typography.Text type="secondary">无权查看走访内容</Typography.Text>}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="成长记录" size="small">
            {pii ? (
              <List size="small" dataSource={child.growthEntries} locale={{ emptyText: "暂无" }}
                renderItem={(g) => <List.Item><List.Item.Meta title={`${g.recordedOn} ${g.title}`} description={`${g.text}（${g.author}）`} /></List.Item>} />
            ) : <Typography.Text type="secondary">无权查看成长记录</Typography.Text>}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title="照片（链接 15 分钟内有效）" size="small">
            {child.photos.length ? (
              <Image.PreviewGroup>
                <Space wrap>{child.photos.map((p, i) => <Image key={i} width={120} src={p.url} alt={p.caption} />)}</Space>
              </Image.PreviewGroup>
            ) : <Typography.Text type="secondary">暂无照片</Typography.Text>}
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
