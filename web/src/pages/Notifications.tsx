import { Button, Card, Form, Input, Space, Switch, Tabs, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { useClient, useMutation, useQuery } from "urql";
import { useNavigate } from "react-router-dom";
import { MarkNotificationsReadDocument, MySettingsDocument, NotificationsDocument, TodosDocument, UpdateMySettingsDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { useUrlState } from "../lib/urlState";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { ActionLink, useReport } from "../components/common";

/** 通知: one's own notifications, unread first by tab; opening one marks it read and goes where it points. */
export function NotificationsPage() {
  const url = useUrlState();
  const navigate = useNavigate();
  const client = useClient();
  const unread = url.get("unread") === "true";
  const list = useConnection({ query: NotificationsDocument, variables: { filters: unread ? { unread: true } : {} }, pick: (d) => d.notifications });
  const [{ fetching }, mark] = useMutation(MarkNotificationsReadDocument);
  const report = useReport();
  const markRead = async (input: { ids?: string[]; all?: boolean }) => {
    const result = await mark({ input });
    if (!report(result, result.data?.markNotificationsRead)) return false;
    list.refetch();
    client.query(TodosDocument, {}, { requestPolicy: "network-only" }).toPromise(); // the header's count and badges
    return true;
  };
  return (
    <>
      <Typography.Title level={4}>通知</Typography.Title>
      <Space style={{ marginBottom: 8 }} wrap>
        <Button onClick={() => markRead({ all: true })} loading={fetching}>全部标为已读</Button>
      </Space>
      <Tabs activeKey={unread ? "unread" : "all"} onChange={(k) => url.set({ unread: k === "unread" ? "true" : undefined })}
        items={[{ key: "unread", label: "未读" }, { key: "all", label: "全部" }]} />
      <ConnectionTable testId="notifications" list={list} unit="条" emptyText={unread ? "没有未读通知" : "暂无通知"} columns={[
        {
          title: "通知", render: (_, n) => (
            <Space direction="vertical" size={0}>
              <Space size={4}>{!n.read && <Tag color="red">未读</Tag>}<b>{n.title}</b></Space>
              <Typography.Text type="secondary">{n.body}</Typography.Text>
            </Space>
          ),
        },
        { title: "类型", dataIndex: "kind", render: (v) => label("NotificationKind", v) },
        { title: "时间", dataIndex: "createdAt", render: (v) => dayjs(v).format("YYYY-MM-DD HH:mm") },
        {
          title: "操作", render: (_, n) => (
            <Space size={12}>
              {n.link && <ActionLink onClick={async () => { if (n.read || await markRead({ ids: [n.id] })) navigate(n.link!); }}>去处理</ActionLink>}
              {!n.read && <ActionLink onClick={() => markRead({ ids: [n.id] })}>标为已读</ActionLink>}
            </Space>
          ),
        },
      ]} />
      <Settings />
    </>
  );
}

/** 通知方式: besides the console (always), by e-mail and by SMS, to one's own address and phone. Messages never
 * carry a child's personal data. */
function Settings() {
  const [{ data }] = useQuery({ query: MySettingsDocument, requestPolicy: "network-only" });
  const [{ fetching }, save] = useMutation(UpdateMySettingsDocument);
  const report = useReport();
  const settings = data?.mySettings;
  if (!settings) return null;
  return (
    <Card size="small" title="通知方式" style={{ marginTop: 16, maxWidth: 560 }} data-testid="notify-settings">
      <Typography.Paragraph type="secondary">站内通知始终开启；邮件和短信只写事项和链接，不含儿童个人信息。</Typography.Paragraph>
      <Form layout="vertical" initialValues={settings} onFinish={async (v: { phone: string; email: string; notifyByEmail: boolean; notifyBySms: boolean }) => {
        const r = await save({ input: v });
        report(r, r.data?.updateMySettings, "通知方式已保存");
      }}>
        <Space wrap>
          <Form.Item name="notifyBySms" label="短信通知" valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="notifyByEmail" label="邮件通知" valuePropName="checked"><Switch /></Form.Item>
        </Space>
        <Form.Item name="phone" label="手机号"><Input maxLength={20} /></Form.Item>
        <Form.Item name="email" label="邮箱"><Input maxLength={100} /></Form.Item>
        <Button type="primary" htmlType="submit" loading={fetching}>保存</Button>
      </Form>
    </Card>
  );
}
