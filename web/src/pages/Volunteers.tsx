import { useState } from "react";
import { Alert, App, Button, Descriptions, Drawer, Form, Input, Modal, Select, Space, Tabs, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery } from "urql";
import {
  ConfirmServiceHoursDocument, CreateVolunteerDocument, HappyHomesDocument, ReportServicePointDocument, ServicePointsDocument,
  ServiceRecordsDocument, SetHappyHomeMembersDocument, UpdateVolunteerDocument, VolunteerDetailDocument, VolunteersDocument,
  type VolunteerDetailQuery,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { useUrlState } from "../lib/urlState";
import { NAME_MAX, TITLE_MAX } from "../lib/limits";
import { ActionLink } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { OrgSelect } from "../components/OrgSelect";
import { RecordHoursModal, showErrors } from "./HappyHomes";

type Volunteer = NonNullable<VolunteerDetailQuery["volunteer"]>;

/** 志愿者: volunteers (registering and editing; phones masked without change_program), linking one to a 快乐家园 or
 * a 七彩假期 service point, recording their hours there, and confirming hours (tab, page and open volunteer in the URL). */
export function VolunteersPage() {
  const session = useSession();
  const url = useUrlState();
  const tab = url.get("tab") ?? "volunteers";
  const openId = url.get("volunteer");
  const list = useConnection({ query: VolunteersDocument, variables: {}, pick: (d) => d.volunteers });
  const records = useConnection({ query: ServiceRecordsDocument, variables: { filters: { confirmed: false } }, pick: (d) => d.serviceRecords, pageKey: "p2" });
  const [selected, setSelected] = useState<string[]>([]);
  const [{ fetching: confirming }, confirm] = useMutation(ConfirmServiceHoursDocument);
  const [editing, setEditing] = useState<Volunteer | "new" | null>(null);
  const { message } = App.useApp();
  const canChange = session.can("programs.change_program");
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 4 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>志愿者</Typography.Title>
        {canChange && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")}>登记志愿者</Button>}
      </Space>
      <Tabs activeKey={tab} onChange={(k) => url.set({ tab: k === "volunteers" ? undefined : k })} items={[
        {
          key: "volunteers", label: `志愿者（${list.total}）`,
          children: <ConnectionTable testId="volunteers" list={list} unit="人" columns={[
            { title: "姓名", dataIndex: "name", render: (n, r) => <ActionLink onClick={() => url.set({ volunteer: r.id }, { keepPages: true })}>{n}</ActionLink> },
            { title: "电话", dataIndex: "phone" },
            { title: "来源", dataIndex: "origin", render: (v, r) => `${label("VolunteerOrigin", v)}${r.originName ? ` · ${r.originName}` : ""}` },
            { title: "服务队", dataIndex: "team" },
            { title: "已确认时长（小时）", dataIndex: "confirmedHours" },
            { title: "组织", render: (_, r) => r.organization?.name },
          ]} />,
        },
        {
          key: "hours", label: `待确认服务时长（${records.total}）`,
          children: (
            <>
              {session.can("programs.confirm_hours") && (
                <Button type="primary" size="large" disabled={!selected.length} loading={confirming} style={{ marginBottom: 8 }} onClick={async () => {
                  const result = await confirm({ input: { recordIds: selected } });
                  const problem = payloadErrorMessage(result.data?.confirmServiceHours.errors) ?? requestErrorMessage(result.error);
                  if (problem) return message.error(problem);
                  message.success("已确认");
                  setSelected([]);
                  records.refetch();
                  list.refetch();
                }}>确认所选（{selected.length}）</Button>
              )}
              <ConnectionTable testId="service-records" list={records} unit="条" emptyText="没有待确认的服务时长"
                rowSelection={session.can("programs.confirm_hours") ? { selectedRowKeys: selected, onChange: setSelected } : undefined}
                columns={[
                  { title: "志愿者", dataIndex: "volunteerName" }, { title: "日期", dataIndex: "servedOn" }, { title: "地点", dataIndex: "placeName" },
                  { title: "时长（小时）", dataIndex: "hours" }, { title: "内容", dataIndex: "description" }, { title: "记录人", dataIndex: "recordedBy" },
                ]} />
            </>
          ),
        },
      ]} />
      <VolunteerDrawer id={openId} canChange={canChange} onClose={() => url.set({ volunteer: undefined }, { keepPages: true })}
        onEdit={(v) => setEditing(v)} onChanged={() => { list.refetch(); records.refetch(); }} />
      <VolunteerModal volunteer={editing} onClose={(id) => { setEditing(null); list.refetch(); if (id) url.set({ volunteer: id }, { keepPages: true }); }} />
    </>
  );
}

function VolunteerDrawer({ id, canChange, onClose, onEdit, onChanged }: { id?: string; canChange: boolean; onClose: () => void; onEdit: (v: Volunteer) => void; onChanged: () => void }) {
  const [{ data }, refetch] = useQuery({ query: VolunteerDetailDocument, variables: { id: id ?? "" }, pause: !id, requestPolicy: "cache-and-network" });
  const [place, setPlace] = useState<{ happyHomeId?: string; servicePointId?: string } | null>(null);
  const [recording, setRecording] = useState(false);
  const v = data?.volunteer;
  return (
    <Drawer open={!!id} onClose={onClose} title={v?.name ?? "志愿者"} width={Math.min(520, window.innerWidth)}>
      {v && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="电话">{v.phone || "—"}</Descriptions.Item>
            <Descriptions.Item label="来源">{label("VolunteerOrigin", v.origin)} {v.originName}</Descriptions.Item>
            <Descriptions.Item label="服务队">{v.team || "—"}</Descriptions.Item>
            <Descriptions.Item label="特长">{v.skills.join("、") || "—"}</Descriptions.Item>
            <Descriptions.Item label="已确认">{v.summary.confirmedHours} 小时（{v.summary.services} 次）</Descriptions.Item>
            <Descriptions.Item label="待确认">{v.summary.unconfirmedHours} 小时</Descriptions.Item>
            <Descriptions.Item label="服务证明">{v.summary.certificate}</Descriptions.Item>
          </Descriptions>
          {canChange && (
            <>
              <Button onClick={() => onEdit(v)}>编辑</Button>
              <Typography.Title level={5}>服务地点</Typography.Title>
              <PlacePicker value={place} onChange={setPlace} />
              <Space wrap>
                <LinkButton volunteerId={v.id} place={place} onDone={() => { refetch({ requestPolicy: "network-only" }); onChanged(); }} />
                <Button type="primary" size="large" disabled={!place} onClick={() => setRecording(true)}>记录服务时长</Button>
              </Space>
              <Typography.Text type="secondary">先把志愿者关联到快乐家园或服务点，才能在那里记录服务时长；记录后由有确认权限的干部确认。</Typography.Text>
              {place && <RecordHoursModal open={recording} onClose={() => { setRecording(false); refetch({ requestPolicy: "network-only" }); onChanged(); }} places={place} volunteers={[{ id: v.id, name: v.name }]} />}
            </>
          )}
        </Space>
      )}
    </Drawer>
  );
}

/** A 快乐家园 or a 七彩假期 service point of one's scope, searched by name. */
function PlacePicker({ value, onChange }: { value: { happyHomeId?: string; servicePointId?: string } | null; onChange: (v: { happyHomeId?: string; servicePointId?: string } | null) => void }) {
  const [text, setText] = useState("");
  const [{ data: homes }] = useQuery({ query: HappyHomesDocument, variables: { first: 20, filters: text ? { nameContains: text } : {} } });
  const [{ data: points }] = useQuery({ query: ServicePointsDocument, variables: { first: 20 } });
  const options = [
    { label: "快乐家园", options: homes?.happyHomes.edges.map(({ node }) => ({ value: `home:${node.id}`, label: node.name })) ?? [] },
    { label: "七彩假期服务点", options: points?.servicePoints.edges.filter(({ node }) => !text || node.name.includes(text))
      .map(({ node }) => ({ value: `point:${node.id}`, label: `${node.name}（${node.projectName}）` })) ?? [] },
  ];
  const current = value?.happyHomeId ? `home:${value.happyHomeId}` : value?.servicePointId ? `point:${value.servicePointId}` : undefined;
  return (
    <Select aria-label="服务地点" showSearch filterOption={false} onSearch={setText} placeholder="选择快乐家园或服务点" style={{ width: "100%" }} size="large"
      value={current} options={options} allowClear
      onChange={(v?: string) => onChange(!v ? null : v.startsWith("home:") ? { happyHomeId: v.slice(5) } : { servicePointId: v.slice(6) })} />
  );
}

function LinkButton({ volunteerId, place, onDone }: { volunteerId: string; place: { happyHomeId?: string; servicePointId?: string } | null; onDone: () => void }) {
  const [{ fetching: a }, toHome] = useMutation(SetHappyHomeMembersDocument);
  const [{ fetching: b }, toPoint] = useMutation(ReportServicePointDocument);
  const { message } = App.useApp();
  return (
    <Button size="large" disabled={!place} loading={a || b} onClick={async () => {
      if (!place) return;
      const result = place.happyHomeId
        ? await toHome({ input: { homeId: place.happyHomeId, addVolunteerIds: [volunteerId] } })
        : await toPoint({ input: { id: place.servicePointId!, addVolunteerIds: [volunteerId] } });
      const payload = result.data && ("setHappyHomeMembers" in result.data ? result.data.setHappyHomeMembers : result.data.reportServicePoint);
      const problem = payloadErrorMessage(payload?.errors) ?? requestErrorMessage(result.error);
      if (problem) return message.error(problem);
      message.success("已关联");
      onDone();
    }}>关联到此地点</Button>
  );
}

type VolunteerValues = { organizationId?: string; name: string; phone?: string; origin: string; originName?: string; team?: string; skills?: string[] };

function VolunteerModal({ volunteer, onClose }: { volunteer: Volunteer | "new" | null; onClose: (id?: string) => void }) {
  const [form] = Form.useForm<VolunteerValues>();
  const session = useSession();
  const [{ fetching: creating }, create] = useMutation(CreateVolunteerDocument);
  const [{ fetching: updating }, update] = useMutation(UpdateVolunteerDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const existing = volunteer && volunteer !== "new" ? volunteer : null;
  const submit = async (v: VolunteerValues) => {
    setProblem(null);
    const fields = { name: v.name, phone: v.phone ?? "", origin: v.origin as never, originName: v.originName ?? "", team: v.team ?? "", skills: v.skills ?? [] };
    const result = existing ? await update({ input: { id: existing.id, ...fields } }) : await create({ input: { organizationId: v.organizationId!, ...fields } });
    const payload = result.data && ("updateVolunteer" in result.data ? result.data.updateVolunteer : result.data.createVolunteer);
    const failed = showErrors(form, payload?.errors ?? [], requestErrorMessage(result.error));
    if (failed || payload?.errors.length) return setProblem(failed);
    onClose(payload!.volunteer!.id);
  };
  return (
    <Modal title={existing ? "编辑志愿者" : "登记志愿者"} open={!!volunteer} onCancel={() => onClose()} onOk={() => form.submit()} okText="保存"
      confirmLoading={creating || updating} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false} onFinish={submit}
        initialValues={existing ? { name: existing.name, phone: existing.phone, origin: existing.origin, originName: existing.originName, team: existing.team, skills: existing.skills }
          : { organizationId: session.current?.organization.id, origin: "YOUTH", skills: [] }}>
        {!existing && <Form.Item name="organizationId" label="登记组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>}
        <Form.Item name="name" label="姓名" rules={[{ required: true, message: "请填写姓名" }]}><Input maxLength={NAME_MAX} showCount /></Form.Item>
        <Form.Item name="phone" label="电话"><Input maxLength={TITLE_MAX} inputMode="tel" /></Form.Item>
        <Form.Item name="origin" label="来源"><Select options={enumOptions("VolunteerOrigin")} /></Form.Item>
        <Form.Item name="originName" label="所在高校或单位"><Input maxLength={TITLE_MAX} /></Form.Item>
        <Form.Item name="team" label="服务队"><Input maxLength={TITLE_MAX} /></Form.Item>
        <Form.Item name="skills" label="特长（回车添加）"><Select mode="tags" tokenSeparators={["、", ","]} /></Form.Item>
      </Form>
    </Modal>
  );
}
