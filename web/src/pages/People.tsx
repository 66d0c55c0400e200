import { useState } from "react";
import { Alert, Button, DatePicker, Drawer, Form, Input, Modal, Popconfirm, Select, Space, Switch, Tabs, Tag, Typography, Upload } from "antd";
import { UploadOutlined } from "@ant-design/icons";
import dayjs, { type Dayjs } from "dayjs";
import { useMutation, useQuery } from "urql";
import {
  AccountDocument, AccountsDocument, AddUnitMemberDocument, ApiTokensDocument, CatalogDocument, ChangeRoleDocument,
  CreateAccountDocument, CreateApiTokenDocument, DeactivateAccountDocument, GrantRoleDocument, ReactivateAccountDocument,
  ImportAccountsDocument, RemoveUnitMemberDocument, ResetPasswordDocument, RevokeApiTokenDocument, RevokeRoleDocument,
  UnlockAccountDocument, UpdateAccountDocument,
  type AccountsQuery, type Role,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { useSession } from "../lib/session";
import { useUrlState } from "../lib/urlState";
import { NAME_MAX } from "../lib/limits";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { OrgSelect } from "../components/OrgSelect";
import { JobProgress } from "../components/JobProgress";
import { ActionLink, NoPermission, RequestError, useReport } from "../components/common";

type Account = NonNullable<AccountsQuery["accounts"]>["edges"][number]["node"];
type RoleRow = Account["roles"][number];

const endOfDay = (d?: Dayjs | null) => (d ? d.endOf("day").toISOString() : null);
const date = (v?: string | null) => (v ? dayjs(v).format("YYYY-MM-DD") : "—");

/** A secret the server shows this once (an initial password, a token): to be copied now. */
function showOnce(modal: ReturnType<typeof Modal.useModal>[0], title: string, what: string, secret: string, testId: string) {
  modal.info({
    title, width: 480, okText: "我已记下",
    content: (
      <Space direction="vertical" style={{ width: "100%" }}>
        <Alert type="warning" showIcon message={`${what}只显示这一次，关闭后无法再查看，请现在复制并告知本人。`} />
        <Typography.Paragraph copyable={{ text: secret, tooltips: ["复制", "已复制"] }} code data-testid={testId} style={{ fontSize: 16, wordBreak: "break-all" }}>{secret}</Typography.Paragraph>
      </Space>
    ),
  });
}

/** 人员与权限: people at and below one's node (accounts and their roles), partner units' members, API tokens. */
export function PeoplePage() {
  const session = useSession();
  const url = useUrlState();
  const tabs = [
    ...(session.can("permissions.manage_membership") ? [{ key: "people", label: "人员", children: <AccountsTab /> }, { key: "units", label: "单位成员", children: <UnitMembersTab /> }] : []),
    ...(session.can("permissions.manage_token") ? [{ key: "tokens", label: "接口令牌", children: <TokensTab /> }] : []),
  ];
  if (!tabs.length) return <NoPermission />;
  const tab = tabs.find((t) => t.key === url.get("tab")) ?? tabs[0];
  return (
    <>
      <Typography.Title level={4}>人员与权限</Typography.Title>
      <Tabs activeKey={tab.key} onChange={(k) => url.set({ tab: k === tabs[0].key ? undefined : k, organization: undefined, role: undefined, active: undefined, search: undefined, unit: undefined })}
        items={tabs} destroyInactiveTabPane />
    </>
  );
}

function AccountsTab() {
  const session = useSession();
  const url = useUrlState();
  const [modal, modalHolder] = Modal.useModal();
  const report = useReport();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [editing, setEditing] = useState<Account | null>(null);
  const [rolesOf, setRolesOf] = useState<string | null>(null);
  const active = url.get("active");
  const filters = {
    ...(url.get("organization") ? { organization: url.get("organization") } : {}),
    ...(url.get("role") ? { role: url.get("role") as Role } : {}),
    ...(active ? { active: active === "true" } : {}),
    ...(url.get("search") ? { search: url.get("search") } : {}),
  };
  const list = useConnection({ query: AccountsDocument, variables: { filters }, pick: (d) => d.accounts });
  const [, deactivate] = useMutation(DeactivateAccountDocument);
  const [, reactivate] = useMutation(ReactivateAccountDocument);
  const [, reset] = useMutation(ResetPasswordDocument);
  const [, unlock] = useMutation(UnlockAccountDocument);

  const status = (a: Account) => (
    <Space size={4} wrap>
      {a.isActive ? <Tag color="green">在用</Tag> : <Tag>已停用</Tag>}
      {a.lockedOut && <Tag color="red">已锁定</Tag>}
      {a.mustChangePassword && <Tag color="orange">待修改初始密码</Tag>}
    </Space>
  );
  return (
    <>
      {modalHolder}
      <Space wrap style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setCreating(true)}>新建账号</Button>
        <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>Excel 批量新建</Button>
        <OrgSelect allowClear placeholder="所在组织（含下级）" value={url.get("organization")} onChange={(v) => url.set({ organization: v })} />
        <Select allowClear placeholder="角色" style={{ width: 140 }} aria-label="角色" value={url.get("role")} onChange={(v) => url.set({ role: v })} options={enumOptions("Role")} />
        <Select allowClear placeholder="状态" style={{ width: 110 }} aria-label="状态" value={active} onChange={(v) => url.set({ active: v })}
          options={[{ value: "true", label: "在用" }, { value: "false", label: "已停用" }]} />
        <Input.Search allowClear placeholder="姓名或用户名" aria-label="搜索人员" defaultValue={url.get("search")} onSearch={(v) => url.set({ search: v })} style={{ width: 200 }} />
      </Space>
      <ConnectionTable testId="accounts" list={list} unit="人" emptyText="没有符合条件的人员" columns={[
        { title: "姓名", dataIndex: "displayName", render: (v, a) => <b data-account={a.id}>{v}</b> },
        { title: "所属组织", render: (_, a) => a.organization?.name ?? "—" },
        {
          title: "角色", render: (_, a) => (
            <Space size={4} wrap>
              {a.roles.map((r) => <Tag key={r.id}>{r.organization?.name} · {label("Role", r.role)}{r.expiresAt ? `（至 ${date(r.expiresAt)}）` : ""}</Tag>)}
              {a.unitNames.map((u) => <Tag key={u} color="blue">{u} 成员</Tag>)}
            </Space>
          ),
        },
        { title: "状态", render: (_, a) => status(a) },
        { title: "最近登录", dataIndex: "lastLogin", render: (v) => (v ? dayjs(v).format("YYYY-MM-DD HH:mm") : "从未登录") },
        {
          title: "操作", render: (_, a) => a.username === session.me?.username ? <Typography.Text type="secondary">本人（在右上角修改密码）</Typography.Text> : a.manageable ? (
            <Space size={12} wrap>
              <ActionLink onClick={() => setEditing(a)}>编辑</ActionLink>
              <ActionLink onClick={() => setRolesOf(a.id)}>角色</ActionLink>
              <Popconfirm title={`为${a.displayName}重置密码？`} description="原密码立即失效，本人须用新的一次性密码登录并修改。" okText="重置" cancelText="取消"
                onConfirm={async () => {
                  const r = await reset({ input: { id: a.id } });
                  const password = r.data?.resetPassword.initialPassword;
                  if (report(r, r.data?.resetPassword) && password) showOnce(modal, `${a.displayName}的新初始密码`, "初始密码", password, "initial-password");
                }}>
                <a role="button" tabIndex={0}>重置密码</a>
              </Popconfirm>
              {a.lockedOut && <ActionLink onClick={async () => { const r = await unlock({ input: { id: a.id } }); if (report(r, r.data?.unlockAccount, "已解除锁定")) list.refetch(); }}>解除锁定</ActionLink>}
              {a.isActive ? (
                <Popconfirm title={`停用${a.displayName}的账号？`} description="本人立即退出登录且无法再登录；角色保留，可重新启用。" okText="停用" okButtonProps={{ danger: true }} cancelText="取消"
                  onConfirm={async () => { const r = await deactivate({ input: { id: a.id } }); if (report(r, r.data?.deactivateAccount, "已停用")) list.refetch(); }}>
                  <a role="button" tabIndex={0} style={{ color: "#c8161d" }}>停用</a>
                </Popconfirm>
              ) : (
                <ActionLink onClick={async () => { const r = await reactivate({ input: { id: a.id } }); if (report(r, r.data?.reactivateAccount, "已启用")) list.refetch(); }}>启用</ActionLink>
              )}
            </Space>
          ) : <Typography.Text type="secondary">由上级或其他组织管理</Typography.Text>,
        },
      ]} />
      <CreateAccount open={creating} onClose={() => setCreating(false)} onCreated={(name, username, password) => {
        setCreating(false);
        list.refetch();
        showOnce(modal, `已为${name}创建账号`, `登录用户名：${username}。初始密码`, password, "initial-password");
      }} />
      <RolesDrawer accountId={rolesOf} onClose={() => { setRolesOf(null); list.refetch(); }} />
      <EditAccount account={editing} onClose={(saved) => { setEditing(null); if (saved) list.refetch(); }} />
      <ImportAccounts open={importing} onClose={() => { setImporting(false); list.refetch(); }} />
    </>
  );
}

type NewAccount = { username: string; displayName: string; organizationId: string; role: Role; subtree: boolean; expiresAt?: Dayjs; phone?: string; email?: string };

function CreateAccount({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (name: string, username: string, password: string) => void }) {
  const session = useSession();
  const report = useReport();
  const [{ fetching }, create] = useMutation(CreateAccountDocument);
  return (
    <Modal title="新建账号" open={open} onCancel={onClose} footer={null} destroyOnClose>
      <Form<NewAccount> layout="vertical" initialValues={{ organizationId: session.current?.organization.id, role: "STAFF", subtree: true }}
        onFinish={async ({ expiresAt, ...v }) => {
          const r = await create({ input: { ...v, phone: v.phone ?? "", email: v.email ?? "", expiresAt: endOfDay(expiresAt) } });
          const password = r.data?.createAccount.initialPassword;
          if (report(r, r.data?.createAccount) && password) onCreated(v.displayName, v.username, password);
        }}>
        <Form.Item name="displayName" label="姓名" rules={[{ required: true, message: "请填写姓名" }]}><Input maxLength={NAME_MAX} /></Form.Item>
        <Form.Item name="username" label="登录用户名" extra="3–30 位字母、数字或 . _ - @ +" rules={[{ required: true, message: "请填写登录用户名" }]}><Input maxLength={30} autoComplete="off" /></Form.Item>
        <Form.Item name="organizationId" label="所属组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>
        <Space wrap>
          <Form.Item name="role" label="角色" rules={[{ required: true, message: "请选择角色" }]}><Select style={{ width: 160 }} options={enumOptions("Role")} /></Form.Item>
          <Form.Item name="subtree" label="含下级组织" valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="expiresAt" label="角色到期（可不填）"><DatePicker /></Form.Item>
        </Space>
        <Form.Item name="phone" label="手机号"><Input maxLength={20} /></Form.Item>
        <Form.Item name="email" label="邮箱"><Input maxLength={100} /></Form.Item>
        <Button type="primary" htmlType="submit" loading={fetching}>创建并生成初始密码</Button>
      </Form>
    </Modal>
  );
}

/** 编辑: a person's 姓名 and contact details (the roles have their own drawer). */
function EditAccount({ account, onClose }: { account: Account | null; onClose: (saved: boolean) => void }) {
  const report = useReport();
  const [{ fetching }, update] = useMutation(UpdateAccountDocument);
  return (
    <Modal title={account ? `编辑${account.displayName}` : "编辑"} open={!!account} onCancel={() => onClose(false)} footer={null} destroyOnClose>
      {account && (
        <Form layout="vertical" initialValues={{ displayName: account.displayName, phone: account.phone }}
          onFinish={async (v: { displayName: string; phone?: string }) => {
            const r = await update({ input: { id: account.id, displayName: v.displayName, phone: v.phone ?? "" } });
            if (report(r, r.data?.updateAccount, "已保存")) onClose(true);
          }}>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true, message: "请填写姓名" }]}><Input maxLength={NAME_MAX} /></Form.Item>
          <Form.Item name="phone" label="手机号"><Input maxLength={20} /></Form.Item>
          <Button type="primary" htmlType="submit" loading={fetching}>保存</Button>
        </Form>
      )}
    </Modal>
  );
}

/** Excel 批量新建: a sheet of accounts becomes a job; each created account's initial password and each refused
 * row's reason come back in the per-row report. */
function ImportAccounts({ open, onClose }: { open: boolean; onClose: () => void }) {
  const session = useSession();
  const report = useReport();
  const [organizationId, setOrganizationId] = useState<string | undefined>(session.current?.organization.id);
  const [file, setFile] = useState<File | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [{ fetching }, start] = useMutation(ImportAccountsDocument);
  const close = () => { setFile(null); setJobId(null); onClose(); };
  return (
    <Modal title="Excel 批量新建账号" open={open} onCancel={close} footer={null} destroyOnClose>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Typography.Paragraph type="secondary">
          表头：用户名、姓名、角色（必填），手机号、邮箱、组织、到期日期；组织不填则为下面所选的组织。角色填中文名称，如 工作人员、信息录入员。
        </Typography.Paragraph>
        <OrgSelect value={organizationId} onChange={setOrganizationId} />
        <Upload accept=".xlsx" maxCount={1} beforeUpload={(f) => { setFile(f); return false; }} onRemove={() => setFile(null)} data-testid="accounts-file">
          <Button icon={<UploadOutlined />}>选择 .xlsx 文件</Button>
        </Upload>
        {jobId ? <JobProgress jobId={jobId} resultLabel="下载逐行报告（含初始密码）" /> : (
          <Button type="primary" disabled={!file || !organizationId} loading={fetching} onClick={async () => {
            const r = await start({ input: { organizationId: organizationId!, file: file! } });
            if (report(r, r.data?.importAccounts) && r.data?.importAccounts.job) setJobId(r.data.importAccounts.job.id);
          }}>开始导入</Button>
        )}
      </Space>
    </Modal>
  );
}

/** One person's roles within what one manages: change (role, scope, expiry), revoke, grant another. */
function RolesDrawer({ accountId, onClose }: { accountId: string | null; onClose: () => void }) {
  const report = useReport();
  const [{ data, error }, reload] = useQuery({ query: AccountDocument, variables: { id: accountId ?? "" }, pause: !accountId, requestPolicy: "network-only" });
  const [, grant] = useMutation(GrantRoleDocument);
  const [, change] = useMutation(ChangeRoleDocument);
  const [, revoke] = useMutation(RevokeRoleDocument);
  const [editing, setEditing] = useState<RoleRow | null>(null);
  const account = data?.account;
  const refresh = () => reload({ requestPolicy: "network-only" });
  return (
    <Drawer open={!!accountId} onClose={onClose} width={560} title={account ? `${account.displayName}的角色` : "角色"} destroyOnClose>
      <RequestError error={error} />
      {account && (
        <Space direction="vertical" style={{ width: "100%" }} size="large">
          <Typography.Text type="secondary">登录用户名：{account.username} · 所属组织：{account.organization?.name ?? "—"}</Typography.Text>
          {account.roles.length === 0 && <Typography.Text>暂无角色</Typography.Text>}
          {account.roles.map((r) => (
            <Space key={r.id} wrap data-testid="role-row" style={{ justifyContent: "space-between", width: "100%" }}>
              <span><b>{r.organization?.name}</b> · {label("Role", r.role)}{r.subtree ? "（含下级）" : "（仅本组织）"} · {r.expiresAt ? `到期 ${date(r.expiresAt)}` : "长期"}</span>
              <Space>
                <ActionLink onClick={() => setEditing(r)}>修改</ActionLink>
                <Popconfirm title="撤销这个角色？" okText="撤销" okButtonProps={{ danger: true }} cancelText="取消"
                  onConfirm={async () => { const x = await revoke({ input: { id: r.id } }); if (report(x, x.data?.revokeRole, "已撤销")) refresh(); }}>
                  <a role="button" tabIndex={0} style={{ color: "#c8161d" }}>撤销</a>
                </Popconfirm>
              </Space>
            </Space>
          ))}
          <Typography.Title level={5}>授予角色</Typography.Title>
          <Form<{ organizationId: string; role: Role; subtree: boolean; expiresAt?: Dayjs }> layout="vertical" initialValues={{ subtree: true }}
            onFinish={async ({ expiresAt, ...v }) => {
              const x = await grant({ input: { ...v, username: account.username, expiresAt: endOfDay(expiresAt) } });
              if (report(x, x.data?.grantRole, "已授予")) refresh();
            }}>
            <Form.Item name="organizationId" label="组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>
            <Space wrap>
              <Form.Item name="role" label="角色" rules={[{ required: true, message: "请选择角色" }]}><Select style={{ width: 160 }} options={enumOptions("Role")} /></Form.Item>
              <Form.Item name="subtree" label="含下级组织" valuePropName="checked"><Switch /></Form.Item>
              <Form.Item name="expiresAt" label="到期（可不填）"><DatePicker /></Form.Item>
            </Space>
            <Button type="primary" htmlType="submit">授予</Button>
          </Form>
        </Space>
      )}
      <Modal title="修改角色" open={!!editing} onCancel={() => setEditing(null)} footer={null} destroyOnClose>
        {editing && (
          <Form<{ role: Role; subtree: boolean; expiresAt?: Dayjs | null }> layout="vertical"
            initialValues={{ role: editing.role, subtree: editing.subtree, expiresAt: editing.expiresAt ? dayjs(editing.expiresAt) : null }}
            onFinish={async ({ expiresAt, ...v }) => {
              const x = await change({ input: { id: editing.id, ...v, expiresAt: endOfDay(expiresAt), clearExpiry: !expiresAt } });
              if (report(x, x.data?.changeRole, "已修改")) { setEditing(null); refresh(); }
            }}>
            <Form.Item name="role" label="角色"><Select options={enumOptions("Role")} /></Form.Item>
            <Form.Item name="subtree" label="含下级组织" valuePropName="checked"><Switch /></Form.Item>
            <Form.Item name="expiresAt" label="到期（清空为长期）"><DatePicker allowClear /></Form.Item>
            <Button type="primary" htmlType="submit">保存</Button>
          </Form>
        )}
      </Modal>
    </Drawer>
  );
}

/** A partner unit's members: the people who act for the unit (claim wishes, answer dispatches). */
function UnitMembersTab() {
  const url = useUrlState();
  const report = useReport();
  const unit = url.get("unit");
  const list = useConnection({ query: AccountsDocument, variables: { filters: { unit } }, pick: (d) => d.accounts, pause: !unit });
  const [, add] = useMutation(AddUnitMemberDocument);
  const [, remove] = useMutation(RemoveUnitMemberDocument);
  const [form] = Form.useForm<{ username: string }>();
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <OrgSelect placeholder="选择单位" filters={{ system: "UNIT" }} value={unit} onChange={(v) => url.set({ unit: v })} />
        {unit && (
          <Form form={form} layout="inline" onFinish={async ({ username }) => {
            const r = await add({ input: { unitId: unit, username: username.trim() } });
            if (report(r, r.data?.addUnitMember, "已添加")) { form.resetFields(); list.refetch(); }
          }}>
            <Form.Item name="username" rules={[{ required: true, message: "请填写登录用户名" }]}><Input placeholder="成员的登录用户名" aria-label="成员的登录用户名" /></Form.Item>
            <Button htmlType="submit">添加成员</Button>
          </Form>
        )}
      </Space>
      {unit ? (
        <ConnectionTable testId="unit-members" list={list} unit="人" emptyText="该单位还没有成员" columns={[
          { title: "姓名", dataIndex: "displayName" },
          { title: "所属组织", render: (_, a) => a.organization?.name ?? "—" },
          { title: "状态", render: (_, a) => (a.isActive ? "在用" : "已停用") },
          {
            title: "操作", render: (_, a) => (
              <Popconfirm title={`将${a.displayName}移出单位？`} okText="移出" cancelText="取消"
                onConfirm={async () => { const r = await remove({ input: { unitId: unit, username: a.username } }); if (report(r, r.data?.removeUnitMember, "已移出")) list.refetch(); }}>
                <a role="button" tabIndex={0}>移出</a>
              </Popconfirm>
            ),
          },
        ]} />
      ) : <Typography.Text type="secondary">选择一个合作单位，查看和管理代表它认领心愿、答复派单的成员。</Typography.Text>}
    </>
  );
}

/** API tokens for partner systems: the secret is shown once at creation; revoking ends it at once. */
function TokensTab() {
  const report = useReport();
  const [modal, modalHolder] = Modal.useModal();
  const [creating, setCreating] = useState(false);
  const list = useConnection({ query: ApiTokensDocument, variables: {}, pick: (d) => d.apiTokens });
  const [{ data: catalog }] = useQuery({ query: CatalogDocument });
  const [{ fetching }, create] = useMutation(CreateApiTokenDocument);
  const [, revoke] = useMutation(RevokeApiTokenDocument);
  const permissionName = (p: string) => catalog?.catalog.permissions.find((c) => c.value === p)?.label ?? p;
  return (
    <>
      {modalHolder}
      <Button type="primary" style={{ marginBottom: 12 }} onClick={() => setCreating(true)}>新建令牌</Button>
      <ConnectionTable testId="tokens" list={list} unit="个" emptyText="暂无接口令牌" columns={[
        { title: "名称", dataIndex: "name" },
        { title: "单位", render: (_, t) => t.organization?.name ?? "—" },
        { title: "权限", render: (_, t) => <Space size={4} wrap>{t.permissions.map((p) => <Tag key={p}>{permissionName(p)}</Tag>)}</Space> },
        { title: "到期", dataIndex: "expiresAt", render: (v) => (v ? date(v) : "长期") },
        { title: "最近使用", dataIndex: "lastUsedAt", render: (v) => (v ? dayjs(v).format("YYYY-MM-DD HH:mm") : "未使用") },
        {
          title: "状态", render: (_, t) => t.revokedAt ? <Tag>已吊销</Tag> : (
            <Popconfirm title={`吊销令牌「${t.name}」？`} description="使用它的系统立即无法访问。" okText="吊销" okButtonProps={{ danger: true }} cancelText="取消"
              onConfirm={async () => { const r = await revoke({ input: { id: t.id } }); if (report(r, r.data?.revokeApiToken, "已吊销")) list.refetch(); }}>
              <Button size="small" danger>吊销</Button>
            </Popconfirm>
          ),
        },
      ]} />
      <Modal title="新建接口令牌" open={creating} onCancel={() => setCreating(false)} footer={null} destroyOnClose>
        <Form<{ organizationId: string; name: string; permissions: string[]; expiresAt?: Dayjs }> layout="vertical"
          initialValues={{ permissions: ["wishes.view_published_wish", "wishes.claim_wish"] }}
          onFinish={async ({ expiresAt, ...v }) => {
            const r = await create({ input: { ...v, expiresAt: endOfDay(expiresAt) } });
            const token = r.data?.createApiToken.token;
            if (!report(r, r.data?.createApiToken) || !token) return;
            setCreating(false);
            list.refetch();
            showOnce(modal, `令牌「${v.name}」已创建`, "令牌", token, "token-secret");
          }}>
          <Form.Item name="name" label="名称" rules={[{ required: true, message: "请填写名称" }]}><Input maxLength={NAME_MAX * 2} placeholder="如：农商行认领系统" /></Form.Item>
          <Form.Item name="organizationId" label="合作单位" extra="令牌代表该单位，只能持有该单位已被授予的权限" rules={[{ required: true, message: "请选择单位" }]}>
            <OrgSelect filters={{ system: "UNIT" }} placeholder="选择单位" />
          </Form.Item>
          <Form.Item name="permissions" label="权限" rules={[{ required: true, message: "请选择权限" }]}>
            <Select mode="multiple" options={catalog?.catalog.permissions ?? []} />
          </Form.Item>
          <Form.Item name="expiresAt" label="到期（可不填）"><DatePicker /></Form.Item>
          <Button type="primary" htmlType="submit" loading={fetching}>创建</Button>
        </Form>
      </Modal>
    </>
  );
}
