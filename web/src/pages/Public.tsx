import { useEffect, useState } from "react";
import {
  Alert, App, Button, Card, Empty, Form, Input, InputNumber, Layout, List, Modal, Progress, Radio, Select, Space, Spin, Tag,
  Typography,
} from "antd";
import { GiftOutlined, HeartOutlined, LogoutOutlined } from "@ant-design/icons";
import { Link, Navigate, Route, Routes, useNavigate } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import {
  ApplyForUnitDocument, ClaimAsDonorDocument, LogoutDocument, MyClaimsDocument, MyUnitApplicationsDocument,
  PublicBoardOptionsDocument, PublicWishesDocument, SendDonorCodeDocument, SignInDonorDocument,
  type PublicWishesQuery, type UnitKind, type WishCategory,
} from "../gql/graphql";
import { useConnection, Pager } from "../components/ConnectionTable";
import { ClaimCard } from "../components/ClaimCard";
import { RequestError } from "../components/common";
import { enumOptions, label } from "../lib/labels";
import { money } from "../lib/figures";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { resetCsrfToken } from "../lib/csrf";
import { useSession } from "../lib/session";
import { useUrlState } from "../lib/urlState";

type PublicWish = PublicWishesQuery["publicWishes"]["edges"][number]["node"];

/** The public site (no sign-in): the wish board, and a donor's own page (sign-in by a phone code, claims). */
export function PublicSite() {
  const session = useSession();
  const navigate = useNavigate();
  const [, logout] = useMutation(LogoutDocument);
  return (
    <Layout style={{ minHeight: "100vh", background: "#f7f7f7" }}>
      <Layout.Header style={{ background: "#c8161d", padding: "0 12px", display: "flex", alignItems: "center", justifyContent: "space-between", gap: 8 }}>
        <Link to="/public/wishes" style={{ color: "#fff", fontWeight: 600, whiteSpace: "nowrap" }}><GiftOutlined /> 微心愿 · 爱心认领</Link>
        <Space size={4}>
          <Link to="/public/donor"><Button size="small" icon={<HeartOutlined />}>我的认领</Button></Link>
          {session.me && (
            <Button size="small" icon={<LogoutOutlined />} aria-label="退出" onClick={async () => {
              await logout({});
              resetCsrfToken();
              session.refresh();
              navigate("/public/wishes");
            }} />
          )}
        </Space>
      </Layout.Header>
      <Layout.Content style={{ width: "100%", maxWidth: 720, margin: "0 auto", padding: 12 }}>
        <Routes>
          <Route path="/public/wishes" element={<PublicBoard />} />
          <Route path="/public/donor" element={<DonorHome />} />
          <Route path="/public/*" element={<Navigate to="/public/wishes" replace />} />
        </Routes>
      </Layout.Content>
    </Layout>
  );
}

function PublicBoard() {
  const url = useUrlState();
  const [options] = useQuery({ query: PublicBoardOptionsDocument });
  const filters = {
    organization: url.get("area"), category: url.get("category") as WishCategory | undefined, campaign: url.get("campaign"),
  };
  const list = useConnection({ query: PublicWishesDocument, variables: { filters }, pick: (d) => d.publicWishes, pageSize: 10 });
  const [claiming, setClaiming] = useState<PublicWish | null>(null);
  const areas = options.data?.publicBoardOptions.areas ?? [];
  const campaigns = options.data?.publicBoardOptions.campaigns ?? [];
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 4 }}>心愿墙</Typography.Title>
      <Typography.Paragraph type="secondary">
        这里是各地团委、妇联、关工委公示的留守儿童微心愿。为保护孩子，只显示姓氏和年龄。您可以认领整个心愿，也可以和其他爱心人士一起各认一份。
      </Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12, width: "100%" }}>
        <Select allowClear placeholder="全部地区" aria-label="地区" style={{ width: 170 }} value={filters.organization}
          onChange={(v) => url.set({ area: v })} data-testid="filter-area"
          options={areas.map((a) => ({ value: a.id, label: `${"　".repeat(Math.max(0, a.level - 4))}${a.name}` }))} />
        <Select allowClear placeholder="全部类别" aria-label="类别" style={{ width: 130 }} value={filters.category}
          onChange={(v) => url.set({ category: v })} options={enumOptions("WishCategory")} data-testid="filter-category" />
        {campaigns.length > 0 && (
          <Select allowClear placeholder="全部行动" aria-label="行动" style={{ width: 170 }} value={filters.campaign}
            onChange={(v) => url.set({ campaign: v })} options={campaigns.map((c) => ({ value: c.id, label: c.title }))} />
        )}
      </Space>
      <RequestError error={list.error} />
      <List data-testid="public-wishes" loading={list.fetching && !list.rows.length} dataSource={list.rows}
        locale={{ emptyText: <Empty description="暂无公示的心愿" /> }}
        renderItem={(wish) => <WishCard wish={wish} onClaim={() => setClaiming(wish)} />} />
      <Pager list={list} unit="个心愿" />
      {claiming && <ClaimModal wish={claiming} onClose={(done) => { setClaiming(null); if (done) list.refetch(); }} />}
    </>
  );
}

function WishCard({ wish, onClaim }: { wish: PublicWish; onClaim: () => void }) {
  const covered = Number(wish.estimatedValue) - Number(wish.remaining);
  const who = wish.childSurname ? `${wish.childSurname}同学${wish.childAge != null ? ` · ${wish.childAge}岁` : ""}` : wish.household ? `困难家庭 ${wish.household}` : "";
  const place = [wish.townshipName, wish.villageName].filter(Boolean).join(" · ") || wish.organizationName;
  return (
    <Card size="small" style={{ marginBottom: 12 }} data-testid="public-wish"
      title={<span style={{ whiteSpace: "normal" }}>{wish.title}</span>}
      extra={<Tag color="red">{label("WishCategory", wish.category)}</Tag>}>
      <Space direction="vertical" style={{ width: "100%" }} size={6}>
        {wish.text && <Typography.Paragraph style={{ margin: 0 }}>“{wish.text}”</Typography.Paragraph>}
        <Typography.Text type="secondary">{who}{who ? " · " : ""}{place}</Typography.Text>
        {wish.campaignTitle && <Typography.Text type="secondary">所属行动：{wish.campaignTitle}</Typography.Text>}
        <Progress percent={Math.round((covered / Number(wish.estimatedValue)) * 100)} size="small" strokeColor="#c8161d"
          format={() => `${money(covered)} / ${money(wish.estimatedValue)} 元`} />
        <Space style={{ justifyContent: "space-between", width: "100%" }} wrap>
          <Typography.Text>还差 <b>{money(wish.remaining)}</b> 元</Typography.Text>
          <Button type="primary" onClick={onClaim} data-testid="claim-button">我要认领</Button>
        </Space>
      </Space>
    </Card>
  );
}

function ClaimModal({ wish, onClose }: { wish: PublicWish; onClose: (done: boolean) => void }) {
  const session = useSession();
  const [options] = useQuery({ query: PublicBoardOptionsDocument }); // cached: the board asked for it already
  const minShare = Number(options.data?.publicBoardOptions.minShare ?? 0); // a share's floor (donors/limits.py)
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [{ fetching }, claim] = useMutation(ClaimAsDonorDocument);
  const remaining = Number(wish.remaining);
  const [whole, setWhole] = useState(true);
  const [share, setShare] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async () => {
    setProblem(null);
    const result = await claim({ input: { wishIds: [wish.id], shares: [whole ? null : String(share ?? 0)] } });
    const error = payloadErrorMessage(result.data?.claimAsDonor.errors) ?? requestErrorMessage(result.error);
    if (error) return setProblem(error);
    message.success("认领成功，感谢您的爱心！");
    onClose(true);
    navigate("/public/donor");
  };
  return (
    <Modal open title={`认领：${wish.title}`} onCancel={() => onClose(false)} footer={null} destroyOnClose>
      {!session.me?.isDonor ? (
        <>
          <Typography.Paragraph type="secondary">认领前请用手机号登记（首次）或登录，验证码将以短信发送。</Typography.Paragraph>
          <DonorSignIn />
        </>
      ) : (
        <Space direction="vertical" style={{ width: "100%" }}>
          {problem && <Alert type="error" showIcon message={problem} data-testid="claim-error" />}
          <Radio.Group value={whole} onChange={(e) => setWhole(e.target.value)}>
            <Space direction="vertical">
              <Radio value={true}>认领剩余全部 {money(wish.remaining)} 元</Radio>
              <Radio value={false} disabled={remaining <= minShare}>认领一份（至少 {minShare} 元）</Radio>
            </Space>
          </Radio.Group>
          {!whole && (
            <InputNumber aria-label="认领金额" min={minShare} max={remaining} value={share} onChange={setShare}
              addonAfter="元" style={{ width: 200 }} />
          )}
          <Button type="primary" block loading={fetching} onClick={submit} data-testid="confirm-claim">确认认领</Button>
        </Space>
      )}
    </Modal>
  );
}

/** Registration and sign-in in one: a phone, the 6-digit code sent to it, and the name to show the first time. */
function DonorSignIn() {
  const session = useSession();
  const [form] = Form.useForm();
  const [, send] = useMutation(SendDonorCodeDocument);
  const [{ fetching }, signIn] = useMutation(SignInDonorDocument);
  const [wait, setWait] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);
  const ask = async () => {
    setProblem(null);
    const phone = form.getFieldValue("phone");
    const result = await send({ input: { phone: phone ?? "" } });
    const error = payloadErrorMessage(result.data?.sendDonorCode.errors) ?? requestErrorMessage(result.error);
    if (error) return setProblem(error);
    setWait(result.data?.sendDonorCode.resendAfterSeconds ?? 60);
  };
  const submit = async (values: { phone: string; code: string; displayName?: string }) => {
    setProblem(null);
    const result = await signIn({ input: { phone: values.phone, code: values.code, displayName: values.displayName ?? "" } });
    const error = payloadErrorMessage(result.data?.signInDonor.errors) ?? requestErrorMessage(result.error);
    if (error) return setProblem(error);
    resetCsrfToken(); // signing in rotates the token
    session.refresh();
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} data-testid="donor-sign-in">
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} data-testid="sign-in-error" />}
      <Form.Item name="phone" label="手机号" rules={[{ required: true, message: "请输入手机号" }]}>
        <Input inputMode="numeric" maxLength={13} autoComplete="tel" placeholder="11 位手机号" />
      </Form.Item>
      <Form.Item label="验证码" required>
        <Space.Compact style={{ width: "100%" }}>
          <Form.Item name="code" noStyle rules={[{ required: true, message: "请输入验证码" }]}>
            <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" placeholder="6 位数字" aria-label="验证码" />
          </Form.Item>
          <Button onClick={ask} disabled={wait > 0} data-testid="send-code">{wait > 0 ? `${wait} 秒后重发` : "获取验证码"}</Button>
        </Space.Compact>
      </Form.Item>
      <Form.Item name="displayName" label="称呼（首次登记时填写）">
        <Input maxLength={30} placeholder="例如：王先生、爱心妈妈" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={fetching}>登记 / 登录</Button>
    </Form>
  );
}

function DonorHome() {
  const session = useSession();
  if (session.fetching) return <Spin />;
  if (!session.me?.isDonor) {
    return (
      <Card title="爱心人士登记 / 登录" style={{ maxWidth: 420, margin: "0 auto" }}>
        <Typography.Paragraph type="secondary">用手机号登记后即可认领心愿，并随时查看心愿的备礼、发放和圆梦进度。</Typography.Paragraph>
        <DonorSignIn />
      </Card>
    );
  }
  return <MyClaims />;
}

function MyClaims() {
  const session = useSession();
  const list = useConnection({ query: MyClaimsDocument, variables: {}, pick: (d) => d.myClaims, pageSize: 10 });
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 4 }}>我的认领</Typography.Title>
      <Typography.Paragraph type="secondary">
        {session.me?.displayName}，感谢您的爱心！备礼之前可以取消认领；发放现场照片只在孩子监护人同意时显示。
        {session.me && session.me.units.length > 0 && <> 您也代表 {session.me.units.map((u) => u.name).join("、")}：<Link to="/">进入单位认领平台</Link></>}
      </Typography.Paragraph>
      <RequestError error={list.error} />
      {list.fetching && !list.rows.length ? <Spin /> : list.rows.length === 0 ? (
        <Empty description={<>还没有认领 · <Link to="/public/wishes">去心愿墙看看</Link></>} />
      ) : list.rows.map((c) => <ClaimCard key={c.id} claim={c} onChanged={list.refetch} />)}
      <Pager list={list} unit="次认领" />
      <UnitApplication />
    </>
  );
}

const UNIT_KINDS = enumOptions("UnitKind");

/** 爱心单位: apply, for one's enterprise or unit, to claim from a body's board; the body approves it. */
function UnitApplication() {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [options] = useQuery({ query: PublicBoardOptionsDocument });
  const [{ fetching }, apply] = useMutation(ApplyForUnitDocument);
  const applications = useConnection({ query: MyUnitApplicationsDocument, variables: {}, pick: (d) => d.myUnitApplications, pageKey: "p2", pageSize: 5 });
  const submit = async (values: { organizationId: string; name: string; kind: UnitKind }) => {
    const result = await apply({ input: values });
    const error = payloadErrorMessage(result.data?.applyForUnit.errors) ?? requestErrorMessage(result.error);
    if (error) return message.error(error);
    message.success("申请已提交，等待组织审核");
    form.resetFields();
    applications.refetch();
  };
  return (
    <Card title="以单位名义认领（爱心单位申请）" size="small" style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">企业或单位可以向心愿所在地的团委、妇联等组织申请成为爱心单位，审核通过后由您代表单位认领心愿。</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="organizationId" label="向哪个组织申请" rules={[{ required: true, message: "请选择组织" }]}>
          <Select options={(options.data?.publicBoardOptions.areas ?? []).map((a) => ({ value: a.id, label: a.name }))} placeholder="选择组织" />
        </Form.Item>
        <Form.Item name="name" label="单位名称" rules={[{ required: true, message: "请填写单位名称" }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="kind" label="单位类型" rules={[{ required: true, message: "请选择单位类型" }]}>
          <Select options={UNIT_KINDS} placeholder="选择类型" />
        </Form.Item>
        <Button htmlType="submit" loading={fetching}>提交申请</Button>
      </Form>
      {applications.rows.length > 0 && (
        <List size="small" style={{ marginTop: 12 }} dataSource={applications.rows} renderItem={(a) => (
          <List.Item>
            <Space wrap>
              <b>{a.name}</b><span>{a.organizationName}</span>
              <Tag color={a.state === "APPROVED" ? "green" : a.state === "REJECTED" ? "default" : "orange"}>{label("UnitApplicationState", a.state)}</Tag>
              {a.reason && <Typography.Text type="secondary">{a.reason}</Typography.Text>}
            </Space>
          </List.Item>
        )} />
      )}
    </Card>
  );
}
