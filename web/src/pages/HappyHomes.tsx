import { useState } from "react";
import { Alert, App, Badge, Button, Card, Col, DatePicker, Descriptions, Empty, Form, Input, InputNumber, List, Modal, Row, Select, Space, Table, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { Link, useParams } from "react-router-dom";
import { HappyHomeDetailDocument, HappyHomesDocument, RecordServiceHoursDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { RequestError } from "../components/common";
import { RecordActivityModal } from "./Campaigns";

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
  const session = useSession();
  const [open, setOpen] = useState<"hours" | "activity" | null>(null);
  if (!h) return <><RequestError error={error} /><Empty description="站点不存在或无权查看" /></>;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Title level={4}><Link to="/happy-homes">快乐家园</Link> / {h.name}</Typography.Title>
      {session.can("programs.change_program") && (
        <Space wrap>
          <Button type="primary" disabled={!h.volunteers.length} onClick={() => setOpen("hours")}>记录服务时长</Button>
          <Button onClick={() => setOpen("activity")}>记录活动</Button>
          <RecordHoursModal open={open === "hours"} onClose={() => setOpen(null)} happyHomeId={h.id} volunteers={h.volunteers} />
          <RecordActivityModal open={open === "activity"} onClose={() => setOpen(null)} organizationId={h.organization?.id} happyHomeId={h.id}
            children={h.children} volunteers={h.volunteers} />
        </Space>
      )}
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

/** Recording a volunteer's hours at this site (recordServiceHours); they wait for confirmation under 志愿者. */
function RecordHoursModal({ open, onClose, happyHomeId, volunteers }: { open: boolean; onClose: () => void; happyHomeId: string; volunteers: { id: string; name: string }[] }) {
  const [form] = Form.useForm();
  const [{ fetching }, record] = useMutation(RecordServiceHoursDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const { message } = App.useApp();
  const submit = async (v: { volunteerId: string; servedOn: dayjs.Dayjs; hours: number; description?: string }) => {
    setProblem(null);
    const result = await record({ input: { volunteerId: v.volunteerId, happyHomeId, servedOn: v.servedOn.format("YYYY-MM-DD"), hours: String(v.hours), description: v.description ?? "" } });
    const err = payloadErrorMessage(result.data?.recordServiceHours.errors) ?? requestErrorMessage(result.error);
    if (err) return setProblem(err);
    message.success("已记录，待确认");
    onClose();
  };
  return (
    <Modal title="记录服务时长" open={open} onCancel={() => { setProblem(null); onClose(); }} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false} onFinish={submit} initialValues={{ servedOn: dayjs(), volunteerId: volunteers[0]?.id }}>
        <Form.Item name="volunteerId" label="志愿者" rules={[{ required: true, message: "请选择志愿者" }]}><Select options={volunteers.map((x) => ({ value: x.id, label: x.name }))} /></Form.Item>
        <Form.Item name="servedOn" label="服务日期" rules={[{ required: true, message: "请选择日期" }]}><DatePicker disabledDate={(d) => d.isAfter(dayjs(), "day")} /></Form.Item>
        <Form.Item name="hours" label="时长（小时）" rules={[{ required: true, message: "请填写时长" }]}><InputNumber min={0.5} max={24} step={0.5} /></Form.Item>
        <Form.Item name="description" label="服务内容"><Input maxLength={200} /></Form.Item>
      </Form>
    </Modal>
  );
}
