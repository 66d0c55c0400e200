import { Badge, Card, Col, Empty, Row, Space, Spin, Statistic, Tag, Typography } from "antd";
import { BellOutlined } from "@ant-design/icons";
import { useQuery } from "urql";
import { Link } from "react-router-dom";
import { TodosDocument } from "../gql/graphql";
import { useSession } from "../lib/session";
import { RequestError } from "../components/common";

/** 还剩 N 天 / 今天截止 / 已逾期 N 天 for a deadline `days` away. */
export function dueText(days: number): string {
  if (days > 0) return `还剩 ${days} 天`;
  if (days === 0) return "今天截止";
  return `已逾期 ${-days} 天`;
}

/** 工作台: the signed-in person's to-dos by kind (one request, counted by the server), each opening the screen that
 * lists them, and the unread notifications. */
export function WorkbenchPage() {
  const session = useSession();
  const [{ data, fetching, error }] = useQuery({ query: TodosDocument });
  const todos = data?.todos;
  const pending = todos?.items.filter((t) => t.count > 0) ?? [];
  const quiet = todos?.items.filter((t) => t.count === 0) ?? [];
  return (
    <>
      <Typography.Title level={4}>工作台</Typography.Title>
      <Typography.Paragraph type="secondary">
        {session.me?.displayName}，{session.current ? `${session.current.organization.name}` : ""}
        {todos ? (todos.total ? `共有 ${todos.total} 项待办。` : "暂无待办事项。") : ""}
      </Typography.Paragraph>
      <RequestError error={error} />
      {fetching && !todos && <Spin />}
      <Row gutter={[12, 12]} data-testid="todos">
        {pending.map((t) => (
          <Col key={t.kind} xs={12} lg={8}>
            <Link to={t.link} data-testid={`todo-${t.kind}`}>
              <Card hoverable size="small">
                <Statistic title={t.label} value={t.count} valueStyle={{ color: "#c8161d" }} />
                <Space style={{ marginTop: 4 }} wrap>
                  {t.dueInDays != null && <Tag color={t.dueInDays < 0 ? "red" : t.dueInDays <= 3 ? "orange" : undefined}>{dueText(t.dueInDays)}</Tag>}
                  <Typography.Text type="secondary">去处理 ›</Typography.Text>
                </Space>
              </Card>
            </Link>
          </Col>
        ))}
        <Col xs={12} lg={8}>
          <Link to="/notifications?unread=true" data-testid="todo-notifications">
            <Card hoverable size="small">
              <Statistic title="未读通知" value={todos?.unreadNotifications ?? 0} prefix={<Badge dot={!!todos?.unreadNotifications}><BellOutlined /></Badge>} />
              <Typography.Text type="secondary">查看通知 ›</Typography.Text>
            </Card>
          </Link>
        </Col>
      </Row>
      {todos && todos.total === 0 && <Empty style={{ marginTop: 24 }} description="暂无待办事项" />}
      {quiet.length > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
          无待办：{quiet.map((t) => t.label).join("、")}
        </Typography.Paragraph>
      )}
    </>
  );
}
