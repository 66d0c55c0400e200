import { useState } from "react";
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Select, Space, Table, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import {
  CreateHolidayProjectDocument, CreateServicePointDocument, HolidayProjectDetailDocument, HolidayProjectsDocument,
  ReportServicePointDocument, type HolidayProjectDetailQuery,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { money } from "../lib/figures";
import { requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { useUrlState } from "../lib/urlState";
import { TITLE_MAX } from "../lib/limits";
import { ActionLink } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { OrgSelect } from "../components/OrgSelect";
import { CampaignPicker, VolunteerPicker } from "../components/Pickers";
import { showErrors } from "./HappyHomes";

type Project = NonNullable<HolidayProjectDetailQuery["holidayProject"]>;
type Point = Project["servicePoints"][number];
const day = (d: dayjs.Dayjs) => d.format("YYYY-MM-DD");

/** 七彩假期: holiday projects (creating one), their service points (adding one, reporting its figures) and the
 * national summary figures. The open project is in the URL. */
export function HolidayPage() {
  const session = useSession();
  const url = useUrlState();
  const list = useConnection({ query: HolidayProjectsDocument, variables: {}, pick: (d) => d.holidayProjects });
  const openId = url.get("project");
  const [{ data: detail }, refetch] = useQuery({ query: HolidayProjectDetailDocument, variables: { id: openId ?? "" }, pause: !openId });
  const [dialog, setDialog] = useState<"project" | "point" | Point | null>(null);
  const canChange = session.can("programs.change_program");
  const p = detail?.holidayProject;
  const reload = () => { refetch({ requestPolicy: "network-only" }); list.refetch(); };
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>七彩假期</Typography.Title>
        {canChange && <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog("project")}>新建假期项目</Button>}
      </Space>
      <ConnectionTable testId="holiday-projects" list={list} unit="个" columns={[
        { title: "项目", dataIndex: "name", render: (v, r) => <ActionLink onClick={() => url.set({ project: r.id }, { keepPages: true })}>{v}</ActionLink> },
        { title: "年度", dataIndex: "year" },
        { title: "假期", dataIndex: "season", render: (v) => label("HolidaySeason", v) },
        { title: "起止", render: (_, r) => `${r.startsOn} 至 ${r.endsOn}` },
        { title: "所属行动", dataIndex: "campaignTitle", render: (v) => v || "—" },
        { title: "组织", render: (_, r) => r.organization?.name },
      ]} />
      <ProjectModal open={dialog === "project"} onClose={(id) => { setDialog(null); list.refetch(); if (id) url.set({ project: id }, { keepPages: true }); }} />
      <Drawer open={!!openId} onClose={() => url.set({ project: undefined }, { keepPages: true })} title={p?.name ?? "假期项目"} width={Math.min(760, window.innerWidth)}>
        {p && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Descriptions bordered size="small" column={{ xs: 1, sm: 2 }}>
              <Descriptions.Item label="服务点">{p.figures.servicePoints} 个</Descriptions.Item>
              <Descriptions.Item label="服务儿童">{p.figures.childrenServed} 人</Descriptions.Item>
              <Descriptions.Item label="志愿者">{p.figures.volunteers} 人</Descriptions.Item>
              <Descriptions.Item label="已确认服务时长">{money(p.figures.serviceHours)} 小时</Descriptions.Item>
              <Descriptions.Item label="募集资金">{money(p.figures.moneyRaised)} 元</Descriptions.Item>
              <Descriptions.Item label="物资价值">{money(p.figures.goodsValue)} 元</Descriptions.Item>
            </Descriptions>
            <Space style={{ justifyContent: "space-between", width: "100%" }}>
              <Typography.Title level={5} style={{ margin: 0 }}>服务点</Typography.Title>
              {canChange && <Button icon={<PlusOutlined />} onClick={() => setDialog("point")}>新增服务点</Button>}
            </Space>
            <Table size="small" rowKey="id" pagination={false} scroll={{ x: true }} dataSource={p.servicePoints} data-testid="service-points"
              columns={[
                { title: "服务点", dataIndex: "name" }, { title: "类型", dataIndex: "kind", render: (v) => label("ServicePointKind", v) },
                { title: "起止", render: (_, s) => `${s.startsOn} 至 ${s.endsOn}` }, { title: "团队", dataIndex: "team" },
                { title: "服务儿童", dataIndex: "childrenServed" }, { title: "承办", render: (_, s) => s.organization?.name },
                ...(canChange ? [{ title: "", render: (_: unknown, s: Point) => <Button size="small" onClick={() => setDialog(s)}>报送数据</Button> }] : []),
              ]} />
            <PointModal open={dialog === "point"} project={p} onClose={() => { setDialog(null); reload(); }} />
            {dialog && typeof dialog === "object" && <ReportPointModal point={dialog} onClose={() => { setDialog(null); reload(); }} />}
          </Space>
        )}
      </Drawer>
    </>
  );
}

function ProjectModal({ open, onClose }: { open: boolean; onClose: (id?: string) => void }) {
  const [form] = Form.useForm();
  const session = useSession();
  const [{ fetching }, create] = useMutation(CreateHolidayProjectDocument);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <Modal title="新建假期项目" open={open} onCancel={() => onClose()} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false}
        initialValues={{ organizationId: session.current?.organization.id, year: dayjs().year(), season: "SUMMER", name: `${dayjs().year()}年七彩假期` }}
        onFinish={async (v: { organizationId: string; name: string; year: number; season: string; dates: [dayjs.Dayjs, dayjs.Dayjs]; campaignId?: string }) => {
          setProblem(null);
          const result = await create({ input: { organizationId: v.organizationId, name: v.name, year: v.year, season: v.season as never,
            startsOn: day(v.dates[0]), endsOn: day(v.dates[1]), campaignId: v.campaignId ?? null } });
          const failed = showErrors(form, result.data?.createHolidayProject.errors ?? [], requestErrorMessage(result.error));
          if (failed || result.data?.createHolidayProject.errors.length) return setProblem(failed);
          onClose(result.data!.createHolidayProject.project!.id);
        }}>
        <Form.Item name="organizationId" label="组织（团委）" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>
        <Form.Item name="name" label="项目名称" rules={[{ required: true, message: "请填写名称" }]}><Input maxLength={TITLE_MAX} showCount /></Form.Item>
        <Space wrap>
          <Form.Item name="year" label="年度"><InputNumber min={2000} max={2100} /></Form.Item>
          <Form.Item name="season" label="假期"><Select options={enumOptions("HolidaySeason")} style={{ width: 120 }} /></Form.Item>
        </Space>
        <Form.Item name="dates" label="起止日期" rules={[{ required: true, message: "请选择起止日期" }]}><DatePicker.RangePicker style={{ width: "100%" }} /></Form.Item>
        <Form.Item name="campaignId" label="所属行动（可选）"><CampaignPicker /></Form.Item>
      </Form>
    </Modal>
  );
}

function PointModal({ open, project, onClose }: { open: boolean; project: Project; onClose: () => void }) {
  const [form] = Form.useForm();
  const [{ fetching }, create] = useMutation(CreateServicePointDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const { message } = App.useApp();
  return (
    <Modal title="新增服务点" open={open} onCancel={onClose} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type="secondary">服务点的日期须在项目的 {project.startsOn} 至 {project.endsOn} 之间；承办单位为本组织或其下级。</Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ kind: "SCHOOL", organizationId: project.organization?.id, dates: [dayjs(project.startsOn), dayjs(project.endsOn)] }}
        onFinish={async (v: { organizationId: string; name: string; kind: string; dates: [dayjs.Dayjs, dayjs.Dayjs]; team?: string; divisionCode?: string }) => {
          setProblem(null);
          const result = await create({ input: { projectId: project.id, organizationId: v.organizationId, name: v.name, kind: v.kind as never,
            startsOn: day(v.dates[0]), endsOn: day(v.dates[1]), team: v.team ?? "", divisionCode: v.divisionCode ?? "" } });
          const failed = showErrors(form, result.data?.createServicePoint.errors ?? [], requestErrorMessage(result.error));
          if (failed || result.data?.createServicePoint.errors.length) return setProblem(failed);
          message.success("已新增服务点");
          onClose();
        }}>
        <Form.Item name="organizationId" label="承办组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>
        <Form.Item name="name" label="服务点名称" rules={[{ required: true, message: "请填写名称" }]}><Input maxLength={TITLE_MAX} /></Form.Item>
        <Form.Item name="kind" label="类型"><Select options={enumOptions("ServicePointKind")} /></Form.Item>
        <Form.Item name="dates" label="起止日期" rules={[{ required: true, message: "请选择起止日期" }]}><DatePicker.RangePicker style={{ width: "100%" }} /></Form.Item>
        <Form.Item name="team" label="服务队（如三下乡实践队）"><Input maxLength={TITLE_MAX} /></Form.Item>
        <Form.Item name="divisionCode" label="区划代码"><Input maxLength={12} /></Form.Item>
      </Form>
    </Modal>
  );
}

function ReportPointModal({ point, onClose }: { point: Point; onClose: () => void }) {
  const [form] = Form.useForm();
  const [{ fetching }, report] = useMutation(ReportServicePointDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const { message } = App.useApp();
  return (
    <Modal title={`报送数据：${point.name}`} open onCancel={onClose} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false} initialValues={{ childrenServed: point.childrenServed, team: point.team, volunteerIds: [] }}
        onFinish={async (v: { childrenServed?: number; moneyRaised?: number; goodsValue?: number; team?: string; volunteerIds: string[] }) => {
          setProblem(null);
          const result = await report({ input: { id: point.id, childrenServed: v.childrenServed ?? null, team: v.team ?? null,
            moneyRaised: v.moneyRaised != null ? String(v.moneyRaised) : null, goodsValue: v.goodsValue != null ? String(v.goodsValue) : null,
            addVolunteerIds: v.volunteerIds } });
          const failed = showErrors(form, result.data?.reportServicePoint.errors ?? [], requestErrorMessage(result.error));
          if (failed || result.data?.reportServicePoint.errors.length) return setProblem(failed);
          message.success("已保存");
          onClose();
        }}>
        <Form.Item name="childrenServed" label="服务儿童（人）"><InputNumber min={0} style={{ width: "100%" }} /></Form.Item>
        <Form.Item name="moneyRaised" label="募集资金（元，留空不变）"><InputNumber min={0} style={{ width: "100%" }} /></Form.Item>
        <Form.Item name="goodsValue" label="物资价值（元，留空不变）"><InputNumber min={0} style={{ width: "100%" }} /></Form.Item>
        <Form.Item name="team" label="服务队"><Input maxLength={TITLE_MAX} /></Form.Item>
        <Form.Item name="volunteerIds" label="增加志愿者"><VolunteerPicker multiple /></Form.Item>
      </Form>
    </Modal>
  );
}
