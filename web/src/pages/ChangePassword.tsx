import { Alert, App, Button, Card, Form, Input, Typography } from "antd";
import { LockOutlined } from "@ant-design/icons";
import { useMutation } from "urql";
import { ChangeMyPasswordDocument } from "../gql/graphql";
import { useSession } from "../lib/session";
import { useReport } from "../components/common";

type Values = { oldPassword: string; newPassword: string; confirm: string };

/** 修改密码. `forced`: the first sign-in with a one-time password (or after an admin reset it), shown instead of the
 * console until the password is changed; otherwise a screen of the console. */
export function ChangePasswordPage({ forced = false }: { forced?: boolean }) {
  const session = useSession();
  const [{ fetching }, change] = useMutation(ChangeMyPasswordDocument);
  const report = useReport();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();

  const submit = async ({ oldPassword, newPassword }: Values) => {
    const result = await change({ input: { oldPassword, newPassword } });
    if (!report(result, result.data?.changeMyPassword)) return;
    message.success("密码已修改");
    form.resetFields();
    session.refresh();
  };

  const body = (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} style={{ maxWidth: 380 }}>
      <Form.Item name="oldPassword" label={forced ? "初始密码" : "原密码"} rules={[{ required: true, message: "请输入原密码" }]}>
        <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="newPassword" label="新密码" extra="至少 8 位，不能过于常见，不能与用户名、姓名相近" rules={[{ required: true, message: "请输入新密码" }]}>
        <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
      </Form.Item>
      <Form.Item name="confirm" label="确认新密码" dependencies={["newPassword"]} rules={[
        { required: true, message: "请再次输入新密码" },
        ({ getFieldValue }) => ({ validator: (_, v) => (!v || v === getFieldValue("newPassword") ? Promise.resolve() : Promise.reject(new Error("两次输入的新密码不一致"))) }),
      ]}>
        <Input.Password prefix={<LockOutlined />} autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={fetching}>修改密码</Button>
    </Form>
  );

  if (!forced) return <><Typography.Title level={4}>修改密码</Typography.Title>{body}</>;
  return (
    <div style={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", background: "#f5f5f5", padding: 16 }}>
      <Card style={{ width: 420, maxWidth: "100%" }} data-testid="change-password">
        <Typography.Title level={4}>首次登录，请修改密码</Typography.Title>
        <Alert type="info" showIcon style={{ marginBottom: 16 }}
          message={`${session.me?.displayName ?? ""}，您的密码是管理员设置的一次性密码，修改后才能使用平台。`} />
        {body}
        <Button type="link" block onClick={() => session.signOut()} style={{ marginTop: 8 }}>退出</Button>
      </Card>
    </div>
  );
}
