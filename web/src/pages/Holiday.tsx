import { useState } from "react";
import { App, Button, Descriptions, Drawer, Space, Table, Tabs, Typography } from "antd";
import { useMutation, useQuery } from "urql";
import { ConfirmServiceHoursDocument, HolidayProjectDetailDocument, HolidayProjectsDocument, ServiceRecordsDocument, VolunteerDetailDocument, VolunteersDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { money } from "../lib/figures";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { RequestError, ActionLink } from "../components/common";

/** 七彩假期: holiday projects, their service points and the national summary figures. */
export function HolidayPage() {
  const [{ data, fetching, error }] = useQuery({ query: HolidayProjectsDocument, variables: { first: 100 } });
  const [openId, setOpenId] = useState<string | null>(null);
  const [{ data: detail }] = useQuery({ query: HolidayProjectDetailDocument, variables: { id: openId ?? "" }, pause: !openId });
  const p = detail?.holidayProject;
  return (
    <>
      <Typography.Title level={4}>七彩假期</Typography.Title>
      <RequestError error={error} />
      <Table size="small" rowKey="id" loading={fetching} scroll={{ x: true }} dataSource={data?.holidayProjects.edges.map((e) => e.node) ?? []}
        columns={[
          { title: "项目", dataIndex: "name", render: (v, r) => <ActionLink onClick={() => setOpenId(r.id)}>{v}</ActionLink> },
          { title: "年度", dataIndex: "year" },
          { title: "假期", dataIndex: "season", render: (v) => label("HolidaySeason", v) },
          { title: "起止", render: (_, r) => `${r.startsOn} ~ ${r.endsOn}` },
          { title: "所属行动", dataIndex: "campaignTitle" },
          { title: "组织", render: (_, r) => r.organization?.name },
        ]} />
      <Drawer open={!!openId} onClose={() => setOpenId(null)} title={p?.name} width={Math.min(720, window.innerWidth)}>
        {p && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Descriptions bordered size="small" column={2}>
              <Descriptions.Item label="服务点">{p.figures.servicePoints}</Descriptions.Item>
              <Descriptions.Item label="服务儿童">{p.figures.childrenServed}</Descriptions.Item>
              <Descriptions.Item label="志愿者">{p.figures.volunteers}</Descriptions.Item>
              <Descriptions.Item label="已确认服务时长">{money(p.figures.serviceHours)}</Descriptions.Item>
              <Descriptions.Item label="募集资金（元）">{money(p.figures.moneyRaised)}</Descriptions.Item>
              <Descriptions.Item label="物资价值（元）">{money(p.figures.goodsValue)}</Descriptions.Item>
            </Descriptions>
            <Table size="small" rowKey="id" pagination={false} scroll={{ x: true }} dataSource={p.servicePoints}
              columns={[{ title: "服务点", dataIndex: "name" }, { title: "类型", dataIndex: "kind", render: (v) => label("ServicePointKind", v) }, { title: "团队", dataIndex: "team" }, { title: "服务儿童", dataIndex: "childrenServed" }, { title: "承办", render: (_, s) => s.organization?.name }]} />
          </Space>
        )}
      </Drawer>
    </>
  );
}

/** 志愿者: volunteers (phones masked without change_program), hours recorded and confirmed. */
export function VolunteersPage() {
  const session = useSession();
  const [{ data, fetching, error }] = useQuery({ query: VolunteersDocument, variables: { first: 100 } });
  const [{ data: records }, refetchRecords] = useQuery({ query: ServiceRecordsDocument, variables: { first: 100, filters: { confirmed: false } } });
  const [openId, setOpenId] = useState<string | null>(null);
  const [{ data: detail }] = useQuery({ query: VolunteerDetailDocument, variables: { id: openId ?? "" }, pause: !openId });
  const [selected, setSelected] = useState<string[]>([]);
  const [{ fetching: confirming }, confirm] = useMutation(ConfirmServiceHoursDocument);
  const { message } = App.useApp();
  const v = detail?.volunteer;
  return (
    <Tabs items={[
      {
        key: "volunteers", label: "志愿者",
        children: (
          <>
            <RequestError error={error} />
            <Table size="small" rowKey="id" loading={fetching} scroll={{ x: true }} dataSource={data?.volunteers.edges.map((e) => e.node) ?? []}
              columns={[
                { title: "姓名", dataIndex: "name", render: (n, r) => <ActionLink onClick={() => setOpenId(r.id)}>{n}</ActionLink> },
                { title: "电话", dataIndex: "phone" },
                { title: "来源", dataIndex: "originName" },
                { title: "团队", dataIndex: "team" },
                { title: "已确认时长", dataIndex: "confirmedHours" },
                { title: "组织", render: (_, r) => r.organization?.name },
              ]} />
          </>
        ),
      },
      {
        key: "hours", label: "待确认服务时长",
        children: (
          <>
            {session.can("programs.confirm_hours") && (
              <Button type="primary" disabled={!selected.length} loading={confirming} style={{ marginBottom: 8 }} onClick={async () => {
                const result = await confirm({ input: { recordIds: selected } });
                const problem = payloadErrorMessage(result.data?.confirmServiceHours.errors) ?? requestErrorMessage(result.error);
                if (problem) return message.error(problem);
                message.success("已确认");
                setSelected([]);
                refetchRecords({ requestPolicy: "network-only" });
              }}>确认所选（{selected.length}）</Button>
            )}
            <Table size="small" rowKey="id" scroll={{ x: true }} dataSource={records?.serviceRecords.edges.map((e) => e.node) ?? []}
              rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
              columns={[{ title: "日期", dataIndex: "servedOn" }, { title: "志愿者", dataIndex: "volunteerName" }, { title: "地点", dataIndex: "placeName" }, { title: "时长", dataIndex: "hours" }, { title: "内容", dataIndex: "description" }, { title: "记录人", dataIndex: "recordedBy" }]} />
          </>
        ),
      },
    ]} tabBarExtraContent={<Drawer open={!!openId} onClose={() => setOpenId(null)} title={v?.name} width={Math.min(480, window.innerWidth)}>
      {v && <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label="已确认">{v.summary.confirmedHours} 小时</Descriptions.Item>
        <Descriptions.Item label="待确认">{v.summary.unconfirmedHours} 小时</Descriptions.Item>
        <Descriptions.Item label="服务次数">{v.summary.services}</Descriptions.Item>
        <Descriptions.Item label="服务证明">{v.summary.certificate}</Descriptions.Item>
      </Descriptions>}
    </Drawer>} />
  );
}
