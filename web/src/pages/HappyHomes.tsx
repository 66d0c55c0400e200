import { useState } from "react";
import { type FormInstance, Alert, App, Badge, Button, Card, Checkbox, Col, DatePicker, Descriptions, Empty, Form, Input, InputNumber, List, Modal, Popconfirm, Row, Select, Space, Table, Tag, Typography } from "antd";
import { MinusCircleOutlined, PlusOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { Link, useNavigate, useParams } from "react-router-dom";
import {
  CreateHappyHomeDocument, HappyHomeDetailDocument, HappyHomesDocument, RecordServiceHoursDocument, SaveInterestGroupDocument,
  SetHappyHomeMembersDocument, UpdateHappyHomeDocument, type HappyHomeDetailQuery,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { money } from "../lib/figures";
import { payloadErrorMessage, requestErrorMessage, type PayloadError } from "../lib/client";
import { useSession } from "../lib/session";
import { useUrlState } from "../lib/urlState";
import { NAME_MAX, TITLE_MAX } from "../lib/limits";
import { RequestError } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { OrgSelect } from "../components/OrgSelect";
import { ChildPicker, VolunteerPicker } from "../components/Pickers";
import { RecordActivityModal } from "./Campaigns";

type Home = NonNullable<HappyHomeDetailQuery["happyHome"]>;

/** 快乐家园: sites with their standard checks (a site serving nobody is not up to standard); creating one. */
export function HappyHomesPage() {
  const session = useSession();
  const url = useUrlState();
  const navigate = useNavigate();
  const organization = url.get("organization");
  const list = useConnection({ query: HappyHomesDocument, variables: { filters: organization ? { organization } : {} }, pick: (d) => d.happyHomes });
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>快乐家园</Typography.Title>
        <Space wrap>
          <OrgSelect allowClear placeholder="组织（含下级）" value={organization} onChange={(id) => url.set({ organization: id })} />
          {session.can("programs.change_program") && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>新建快乐家园</Button>}
        </Space>
      </Space>
      <ConnectionTable testId="happy-homes" list={list} unit="个" columns={[
        { title: "名称", dataIndex: "name", render: (v, h) => <Link to={`/happy-homes/${h.id}`}>{v}</Link> },
        { title: "组织", render: (_, h) => h.organization?.name },
        { title: "服务儿童", dataIndex: "childrenCount" },
        { title: "志愿者", dataIndex: "volunteersCount" },
        { title: "达标", dataIndex: "belowStandard", render: (v) => (v ? <Tag color="red">未达标</Tag> : <Tag color="green">达标</Tag>) },
      ]} />
      <HomeFormModal open={creating} onClose={(id) => { setCreating(false); if (id) navigate(`/happy-homes/${id}`); }} />
    </>
  );
}

/** Typed errors of a payload on their fields, the rest as one sentence (null when there were none). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function showErrors(form: FormInstance<any>, errors: readonly PayloadError[], fallback?: string | null): string | null {
  const byField = errors.filter((e) => e.field && form.getFieldInstance(e.field));
  form.setFields(byField.map((e) => ({ name: e.field!, errors: [e.message] })));
  return payloadErrorMessage(errors.filter((e) => !byField.includes(e))) ?? fallback ?? null;
}

type HomeValues = {
  organizationId?: string; name: string; divisionCode?: string; address?: string; openedOn?: dayjs.Dayjs | null; areaM2?: number; booksCount?: number;
  open?: string[]; openingHours?: string; supervisionGroup?: string;
  corners?: { kind: string; name?: string; computers?: number }[]; staff?: { role: string; name: string }[];
  funding?: { year: number; source: string; amount: number }[];
};

function toInput(v: HomeValues) {
  return {
    name: v.name, divisionCode: v.divisionCode ?? "", address: v.address ?? "", openedOn: v.openedOn ? v.openedOn.format("YYYY-MM-DD") : null,
    areaM2: v.areaM2 ?? 0, booksCount: v.booksCount ?? 0, openAfterSchool: !!v.open?.includes("afterSchool"),
    openWeekends: !!v.open?.includes("weekends"), openHolidays: !!v.open?.includes("holidays"), openingHours: v.openingHours ?? "",
    supervisionGroup: v.supervisionGroup ?? "",
    corners: (v.corners ?? []).map((c) => ({ kind: c.kind as never, name: c.name ?? "", computers: c.computers ?? 0 })),
    staff: (v.staff ?? []).map((s) => ({ role: s.role as never, name: s.name })),
    funding: (v.funding ?? []).map((f) => ({ year: f.year, source: f.source as never, amount: String(f.amount) })),
  };
}

/** Creating (no `home`) or editing a site: its record, corners, staff and funding by year and source. */
function HomeFormModal({ open, onClose, home }: { open: boolean; onClose: (id?: string) => void; home?: Home }) {
  const [form] = Form.useForm<HomeValues>();
  const session = useSession();
  const [{ fetching: creating }, create] = useMutation(CreateHappyHomeDocument);
  const [{ fetching: updating }, update] = useMutation(UpdateHappyHomeDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const { message } = App.useApp();
  const initial: Partial<HomeValues> = home ? {
    name: home.name, divisionCode: home.divisionCode, address: home.address, openedOn: home.openedOn ? dayjs(home.openedOn) : null,
    areaM2: home.areaM2 ?? 0, booksCount: home.booksCount, openingHours: home.openingHours, supervisionGroup: home.supervisionGroup,
    open: [home.openAfterSchool && "afterSchool", home.openWeekends && "weekends", home.openHolidays && "holidays"].filter(Boolean) as string[],
    corners: home.corners.map((c) => ({ kind: c.kind, name: c.name, computers: c.computers })),
    staff: home.staff.map((s) => ({ role: s.role, name: s.name })),
    funding: home.funding.map((f) => ({ year: f.year, source: f.source, amount: Number(f.amount) })),
  } : { organizationId: session.current?.organization.id, open: ["afterSchool", "weekends", "holidays"], staff: [{ role: "DIRECTOR", name: "" }], funding: [] };
  const submit = async (v: HomeValues) => {
    setProblem(null);
    const result = home
      ? await update({ input: { id: home.id, ...toInput(v) } })
      : await create({ input: { organizationId: v.organizationId!, ...toInput(v) } });
    const payload = result.data && ("updateHappyHome" in result.data ? result.data.updateHappyHome : result.data.createHappyHome);
    const failed = showErrors(form, payload?.errors ?? [], requestErrorMessage(result.error));
    if (failed || payload?.errors.length) return setProblem(failed);
    message.success(home ? "已保存" : "已新建快乐家园");
    onClose(payload!.happyHome!.id);
  };
  return (
    <Modal title={home ? "编辑快乐家园" : "新建快乐家园"} open={open} onCancel={() => onClose()} onOk={() => form.submit()} okText="保存"
      confirmLoading={creating || updating} width={720} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false} initialValues={initial} onFinish={submit}>
        <Row gutter={12}>
          {!home && <Col xs={24} sm={12}><Form.Item name="organizationId" label="运营组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item></Col>}
          <Col xs={24} sm={12}><Form.Item name="name" label="名称" rules={[{ required: true, message: "请填写名称" }]}><Input maxLength={TITLE_MAX} showCount /></Form.Item></Col>
          <Col xs={24} sm={12}><Form.Item name="divisionCode" label="所在村（区划代码）"><Input maxLength={12} /></Form.Item></Col>
          <Col xs={24} sm={12}><Form.Item name="address" label="地址"><Input maxLength={100} /></Form.Item></Col>
          <Col xs={12} sm={8}><Form.Item name="openedOn" label="建成日期"><DatePicker style={{ width: "100%" }} /></Form.Item></Col>
          <Col xs={12} sm={8}><Form.Item name="areaM2" label="面积（㎡）"><InputNumber min={0} style={{ width: "100%" }} /></Form.Item></Col>
          <Col xs={12} sm={8}><Form.Item name="booksCount" label="图书（册）"><InputNumber min={0} style={{ width: "100%" }} /></Form.Item></Col>
          <Col xs={24} sm={12}><Form.Item name="open" label="开放"><Checkbox.Group options={[{ value: "afterSchool", label: "放学后" }, { value: "weekends", label: "周末" }, { value: "holidays", label: "节假日" }]} /></Form.Item></Col>
          <Col xs={24} sm={12}><Form.Item name="openingHours" label="开放时间说明"><Input maxLength={100} /></Form.Item></Col>
          <Col xs={24}><Form.Item name="supervisionGroup" label="监督小组"><Input maxLength={100} /></Form.Item></Col>
        </Row>
        <ListField name="corners" title="功能室" add={{ kind: "READING", name: "", computers: 0 }} render={(f) => <>
          <Form.Item name={[f, "kind"]}><Select options={enumOptions("CornerKind")} style={{ width: 130 }} aria-label="功能室类型" /></Form.Item>
          <Form.Item name={[f, "name"]}><Input placeholder="名称，如 智慧书屋" maxLength={TITLE_MAX} /></Form.Item>
          <Form.Item name={[f, "computers"]}><InputNumber min={0} placeholder="电脑台数" aria-label="电脑台数" /></Form.Item>
        </>} />
        <ListField name="staff" title="人员（专职主任、社工）" add={{ role: "SOCIAL_WORKER", name: "" }} render={(f) => <>
          <Form.Item name={[f, "role"]}><Select options={enumOptions("HappyHomeStaffRole")} style={{ width: 130 }} aria-label="岗位" /></Form.Item>
          <Form.Item name={[f, "name"]} rules={[{ required: true, message: "请填写姓名" }]}><Input placeholder="姓名" maxLength={NAME_MAX} /></Form.Item>
        </>} />
        <ListField name="funding" title="经费" add={{ year: dayjs().year(), source: "DISTRICT", amount: 0 }} render={(f) => <>
          <Form.Item name={[f, "year"]}><InputNumber min={2000} max={2100} aria-label="年度" /></Form.Item>
          <Form.Item name={[f, "source"]}><Select options={enumOptions("FundingSource")} style={{ width: 130 }} aria-label="经费来源" /></Form.Item>
          <Form.Item name={[f, "amount"]}><InputNumber min={0} addonAfter="元" aria-label="金额" /></Form.Item>
        </>} />
      </Form>
    </Modal>
  );
}

function ListField({ name, title, add, render }: { name: string; title: string; add: object; render: (field: number) => React.ReactNode }) {
  return (
    <>
      <Typography.Text strong>{title}</Typography.Text>
      <Form.List name={name}>
        {(fields, { add: append, remove }) => (
          <div style={{ marginBottom: 12 }}>
            {fields.map((f) => (
              <Space key={f.key} wrap align="baseline">
                {render(f.name)}
                <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(f.name)} aria-label="删除" />
              </Space>
            ))}
            <div><Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => append(add)}>添加</Button></div>
          </div>
        )}
      </Form.List>
    </>
  );
}

export function HappyHomeDetailPage() {
  const { id = "" } = useParams();
  const [{ data, error }, refetch] = useQuery({ query: HappyHomeDetailDocument, variables: { id } });
  const h = data?.happyHome;
  const session = useSession();
  const [open, setOpen] = useState<"hours" | "activity" | "edit" | "group" | null>(null);
  const [group, setGroup] = useState<Home["groups"][number] | null>(null);
  if (!h) return <><RequestError error={error} /><Empty description="站点不存在或无权查看" /></>;
  const canChange = session.can("programs.change_program");
  const reload = () => refetch({ requestPolicy: "network-only" });
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Title level={4}><Link to="/happy-homes">快乐家园</Link> / {h.name}</Typography.Title>
      {canChange && (
        <Space wrap>
          <Button type="primary" disabled={!h.volunteers.length} onClick={() => setOpen("hours")}>记录服务时长</Button>
          <Button onClick={() => setOpen("activity")}>记录活动</Button>
          <Button onClick={() => setOpen("edit")}>编辑</Button>
          {!h.volunteers.length && <Typography.Text type="secondary">先在下方添加志愿者，才能记录服务时长</Typography.Text>}
          <RecordHoursModal open={open === "hours"} onClose={() => setOpen(null)} places={{ happyHomeId: h.id }} volunteers={h.volunteers} />
          <RecordActivityModal open={open === "activity"} onClose={() => setOpen(null)} organizationId={h.organization?.id} happyHomeId={h.id}
            children={h.children} volunteers={h.volunteers} />
          <HomeFormModal open={open === "edit"} home={h} onClose={(saved) => { setOpen(null); if (saved) reload(); }} />
          <GroupModal open={open === "group"} home={h} group={group} onClose={() => { setOpen(null); setGroup(null); reload(); }} />
        </Space>
      )}
      <Card size="small" title="达标检查" data-testid="standards">
        <List dataSource={h.standards} renderItem={(s) => (
          <List.Item><Space direction="vertical" size={0}>
            <span><Badge status={s.met ? "success" : "error"} text={<b>{s.title}</b>} /> {s.met ? <Tag color="green">达标</Tag> : <Tag color="red">未达标</Tag>} {s.figure}</span>
            <Typography.Text type="secondary">{s.explanation}</Typography.Text>
          </Space></List.Item>
        )} />
      </Card>
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label="组织">{h.organization?.name}</Descriptions.Item>
        <Descriptions.Item label="地址">{h.address || "—"}</Descriptions.Item>
        <Descriptions.Item label="建成">{h.openedOn ?? "—"}</Descriptions.Item>
        <Descriptions.Item label="面积（㎡）">{h.areaM2 ?? "—"}</Descriptions.Item>
        <Descriptions.Item label="开放">{[h.openAfterSchool && "放学后", h.openWeekends && "周末", h.openHolidays && "节假日"].filter(Boolean).join("、") || "—"} {h.openingHours}</Descriptions.Item>
        <Descriptions.Item label="图书（册）">{h.booksCount}</Descriptions.Item>
        <Descriptions.Item label="功能室">{h.corners.map((c, i) => <Tag key={i}>{c.name || label("CornerKind", c.kind)}{c.computers ? `（电脑 ${c.computers} 台）` : ""}</Tag>)}</Descriptions.Item>
        <Descriptions.Item label="人员">{h.staff.map((s, i) => <Tag key={i}>{label("HappyHomeStaffRole", s.role)} {s.name}</Tag>)}</Descriptions.Item>
        <Descriptions.Item label="监督小组">{h.supervisionGroup || "—"}</Descriptions.Item>
        <Descriptions.Item label="经费">{h.funding.map((f, i) => <div key={i}>{f.year}年 {label("FundingSource", f.source)} {money(f.amount)} 元</div>)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={[12, 12]}>
        <Col xs={24} md={12}><MembersCard home={h} kind="children" canChange={canChange} onChanged={reload} /></Col>
        <Col xs={24} md={12}><MembersCard home={h} kind="volunteers" canChange={canChange} onChanged={reload} /></Col>
        <Col xs={24}>
          <Card size="small" title={`兴趣小组（${h.groups.length}）`} extra={canChange && <Button size="small" icon={<PlusOutlined />} onClick={() => { setGroup(null); setOpen("group"); }}>新建小组</Button>}>
            <Table size="small" rowKey="id" pagination={false} dataSource={h.groups} scroll={{ x: true }} columns={[
              { title: "名称", dataIndex: "name" }, { title: "时间", dataIndex: "schedule" }, { title: "人数", dataIndex: "memberCount" },
              ...(canChange ? [{ title: "操作", render: (_: unknown, g: Home["groups"][number]) => <Button size="small" onClick={() => { setGroup(g); setOpen("group"); }}>编辑</Button> }] : []),
            ]} />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

/** The children served or the volunteers assigned, added (searched on the server) and removed. */
function MembersCard({ home, kind, canChange, onChanged }: { home: Home; kind: "children" | "volunteers"; canChange: boolean; onChanged: () => void }) {
  const [picked, setPicked] = useState<string[]>([]);
  const [{ fetching }, setMembers] = useMutation(SetHappyHomeMembersDocument);
  const { message } = App.useApp();
  const change = async (add: string[], remove: string[]) => {
    const input = kind === "children"
      ? { homeId: home.id, addChildIds: add, removeChildIds: remove }
      : { homeId: home.id, addVolunteerIds: add, removeVolunteerIds: remove };
    const result = await setMembers({ input });
    const problem = payloadErrorMessage(result.data?.setHappyHomeMembers.errors) ?? requestErrorMessage(result.error);
    if (problem) return message.error(problem);
    message.success(add.length ? "已添加" : "已移除");
    setPicked([]);
    onChanged();
  };
  const rows = kind === "children" ? home.children : home.volunteers;
  const title = kind === "children" ? "服务儿童" : "志愿者";
  return (
    <Card size="small" title={`${title}（${rows.length}）`} data-testid={`members-${kind}`}>
      {canChange && (
        <Space.Compact style={{ width: "100%", marginBottom: 8 }}>
          {kind === "children"
            ? <ChildPicker multiple value={picked} onChange={setPicked} placeholder="搜索儿童姓名添加" />
            : <VolunteerPicker multiple value={picked} onChange={setPicked} placeholder="搜索志愿者姓名添加" />}
          <Button type="primary" disabled={!picked.length} loading={fetching} onClick={() => change(picked, [])}>添加</Button>
        </Space.Compact>
      )}
      <Table size="small" rowKey="id" pagination={{ pageSize: 10, showTotal: (t) => `共 ${t} 人`, size: "small" }} dataSource={rows as { id: string; name: string }[]} scroll={{ x: true }}
        columns={[
          { title: "姓名", dataIndex: "name" },
          ...(kind === "children"
            ? [{ title: "年龄", dataIndex: "age" }, { title: "学校", dataIndex: "school" }]
            : [{ title: "电话", dataIndex: "phone" }, { title: "来源", dataIndex: "origin", render: (v: string) => label("VolunteerOrigin", v) }]),
          ...(canChange ? [{ title: "", render: (_: unknown, r: { id: string; name: string }) => (
            <Popconfirm title={`从本家园移除“${r.name}”？`} okText="移除" cancelText="取消" onConfirm={() => change([], [r.id])}><Button size="small" type="link" danger>移除</Button></Popconfirm>
          ) }] : []),
        ]} />
    </Card>
  );
}

function GroupModal({ open, home, group, onClose }: { open: boolean; home: Home; group: Home["groups"][number] | null; onClose: () => void }) {
  const [form] = Form.useForm();
  const [{ fetching }, save] = useMutation(SaveInterestGroupDocument);
  const { message } = App.useApp();
  return (
    <Modal title={group ? "编辑兴趣小组" : "新建兴趣小组"} open={open} onCancel={onClose} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} destroyOnClose>
      <Form form={form} layout="vertical" preserve={false}
        initialValues={group ? { name: group.name, schedule: group.schedule, memberIds: group.members.map((m) => m.id) } : { memberIds: [] }}
        onFinish={async (v: { name: string; schedule?: string; memberIds: string[] }) => {
          const result = await save({ input: { homeId: home.id, id: group?.id ?? null, name: v.name, schedule: v.schedule ?? "", memberIds: v.memberIds } });
          const problem = showErrors(form, result.data?.saveInterestGroup.errors ?? [], requestErrorMessage(result.error));
          if (problem || result.data?.saveInterestGroup.errors.length) return problem && message.error(problem);
          message.success("已保存");
          onClose();
        }}>
        <Form.Item name="name" label="名称" rules={[{ required: true, message: "请填写名称" }]}><Input maxLength={TITLE_MAX} placeholder="如 书法、乒乓球" /></Form.Item>
        <Form.Item name="schedule" label="活动时间"><Input maxLength={TITLE_MAX} placeholder="如 周六 9:00" /></Form.Item>
        <Form.Item name="memberIds" label="成员（本家园服务的儿童）"><Select mode="multiple" optionFilterProp="label" options={home.children.map((c) => ({ value: c.id, label: c.name }))} /></Form.Item>
      </Form>
    </Modal>
  );
}

/** Recording a volunteer's hours at a site or a service point (recordServiceHours); they then wait for confirmation.
 * Large controls: done with one thumb on a phone. */
export function RecordHoursModal({ open, onClose, places, volunteers }: {
  open: boolean; onClose: () => void; places: { happyHomeId?: string; servicePointId?: string }; volunteers: { id: string; name: string }[];
}) {
  const [form] = Form.useForm();
  const [{ fetching }, record] = useMutation(RecordServiceHoursDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const { message } = App.useApp();
  const submit = async (v: { volunteerId: string; servedOn: dayjs.Dayjs; hours: number; description?: string }) => {
    setProblem(null);
    const result = await record({ input: { volunteerId: v.volunteerId, ...places, servedOn: v.servedOn.format("YYYY-MM-DD"), hours: String(v.hours), description: v.description ?? "" } });
    const err = showErrors(form, result.data?.recordServiceHours.errors ?? [], requestErrorMessage(result.error));
    if (err || result.data?.recordServiceHours.errors.length) return setProblem(err);
    message.success("已记录，待确认");
    onClose();
  };
  return (
    <Modal title="记录服务时长" open={open} onCancel={() => { setProblem(null); onClose(); }} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} destroyOnClose
      okButtonProps={{ size: "large" }} cancelButtonProps={{ size: "large" }}>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" size="large" preserve={false} onFinish={submit} initialValues={{ servedOn: dayjs(), volunteerId: volunteers[0]?.id, hours: 2 }}>
        <Form.Item name="volunteerId" label="志愿者" rules={[{ required: true, message: "请选择志愿者" }]}><Select showSearch optionFilterProp="label" options={volunteers.map((x) => ({ value: x.id, label: x.name }))} /></Form.Item>
        <Form.Item name="servedOn" label="服务日期" rules={[{ required: true, message: "请选择日期" }]}><DatePicker inputReadOnly style={{ width: "100%" }} disabledDate={(d) => d.isAfter(dayjs(), "day")} /></Form.Item>
        <Form.Item name="hours" label="时长（小时）" rules={[{ required: true, message: "请填写时长" }]}><InputNumber min={0.5} max={24} step={0.5} inputMode="decimal" style={{ width: "100%" }} /></Form.Item>
        <Form.Item name="description" label="服务内容"><Input maxLength={200} /></Form.Item>
      </Form>
    </Modal>
  );
}
