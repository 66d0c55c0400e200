import { useState } from "react";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation } from "urql";
import { LoginDocument } from "../gql/graphql";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { resetCsrfToken } from "../lib/csrf";
import { useSession } from "../lib/session";

export function LoginPage() {
  const [{ fetching }, login] = useMutation(LoginDocument);
  const session = useSession();
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  const submit = async (values: { username: string; password: string }) => {
    setError(null);
    const result = await login({ input: values });
    const problem = result.data?.login.errors[0];
    if (problem) return setError({ code: problem.code, message: payloadErrorMessage([problem])! });
    if (result.error) return setError({ code: "REQUEST", message: requestErrorMessage(result.error)! });
    resetCsrfToken(); // login rotates the token
    session.refresh();
  };

  return (
    <div style={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", background: "#f5f5f5", padding: 16 }}>
      <Card style={{ width: 380, maxWidth: "100%" }}>
        <Typography.Title level={3} style={{ textAlign: "center", color: "#c8161d" }}>留守儿童关爱平台</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: "center" }}>团委 · 妇联 · 关工委 工作台</Typography.Paragraph>
        {session.expired && !error && (
          <Alert data-testid="session-expired" type="warning" showIcon message="登录已过期，请重新登录" style={{ marginBottom: 16 }} />
        )}
        {error && (
          <Alert
            data-testid="login-error"
            data-code={error.code}
            type={error.code === "LOCKED_OUT" ? "warning" : "error"}
            showIcon
            message={error.code === "LOCKED_OUT" ? "账号已被临时锁定" : "登录失败"}
            description={error.message}
            style={{ marginBottom: 16 }}
          />
        )}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: "请输入用户名" }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: "请输入密码" }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={fetching}>登录</Button>
        </Form>
      </Card>
    </div>
  );
}
