import { Suspense, lazy, useState } from "react";
import { Layout, Menu, Select, Space, Button, Spin, Typography, Tag, Grid } from "antd";
import {
  ApartmentOutlined, TeamOutlined, GiftOutlined, HomeOutlined, BarChartOutlined, CloudSyncOutlined,
  LogoutOutlined, HeartOutlined, AuditOutlined, FlagOutlined, SunOutlined, UserOutlined, ShopOutlined,
} from "@ant-design/icons";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { useMutation } from "urql";
import { LogoutDocument } from "./gql/graphql";
import { useSession } from "./lib/session";
import { label } from "./lib/labels";
import { resetCsrfToken } from "./lib/csrf";
import { LoginPage } from "./pages/Login";
import { OrganizationsPage } from "./pages/Organizations";
import { ChildrenPage } from "./pages/Children";
import { ChildFilePage } from "./pages/ChildFile";
import { WishBoardPage, PublishedWishesPage } from "./pages/Wishes";
import { JobsPage } from "./pages/Jobs";
import { ReportsPage } from "./pages/Reports";
import { HappyHomesPage, HappyHomeDetailPage } from "./pages/HappyHomes";
import { HolidayPage, VolunteersPage } from "./pages/Holiday";
import { PairingsPage, PairingDetailPage } from "./pages/Pairings";
import { CampaignsPage, ActivityDetailPage } from "./pages/Campaigns";

const { Header, Sider, Content } = Layout;

// ECharts is only needed by the dashboard: loaded with it, in its own chunk.
const DashboardPage = lazy(() => import("./pages/Dashboard").then((m) => ({ default: m.DashboardPage })));

const MENU = [
  { key: "/orgs", icon: <ApartmentOutlined />, label: "组织" },
  { key: "/children", icon: <TeamOutlined />, label: "儿童档案" },
  { key: "/wishes", icon: <GiftOutlined />, label: "微心愿" },
  { key: "/wishes/published", icon: <ShopOutlined />, label: "心愿公示认领" },
  { key: "/happy-homes", icon: <HomeOutlined />, label: "快乐家园" },
  { key: "/holiday", icon: <SunOutlined />, label: "七彩假期" },
  { key: "/volunteers", icon: <UserOutlined />, label: "志愿者" },
  { key: "/pairings", icon: <HeartOutlined />, label: "结对" },
  { key: "/campaigns", icon: <FlagOutlined />, label: "行动与活动" },
  { key: "/dashboard", icon: <BarChartOutlined />, label: "统计" },
  { key: "/reports", icon: <AuditOutlined />, label: "报送" },
  { key: "/jobs", icon: <CloudSyncOutlined />, label: "任务" },
];

function Shell() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [, logout] = useMutation(LogoutDocument);
  const screens = Grid.useBreakpoint();
  const [collapsed, setCollapsed] = useState(false);
  const me = session.me!;
  const selected = MENU.map((m) => m.key)
    .filter((k) => location.pathname === k || location.pathname.startsWith(k + "/"))
    .sort((a, b) => b.length - a.length)[0];

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Sider breakpoint="lg" collapsedWidth={screens.md ? 80 : 0} collapsible collapsed={collapsed} onCollapse={setCollapsed} theme="light">
        <div style={{ padding: 16, fontWeight: 600, color: "#c8161d", whiteSpace: "nowrap", overflow: "hidden" }}>
          {collapsed ? "关爱" : "留守儿童关爱平台"}
        </div>
        <Menu
          mode="inline"
          selectedKeys={selected ? [selected] : []}
          items={MENU}
          onClick={({ key }) => {
            navigate(key);
            if (!screens.md) setCollapsed(true);
          }}
        />
      </Sider>
      <Layout>
        <Header style={{ background: "#fff", padding: screens.md ? "0 16px" : "8px 8px 8px 56px", display: "flex", alignItems: "center", justifyContent: "space-between", flexWrap: "wrap", height: "auto", minHeight: 64, lineHeight: "normal", gap: 8 }}>
          <Space wrap>
            <Typography.Text type="secondary">当前组织</Typography.Text>
            {me.memberships.length > 0 ? (
              <Select
                aria-label="切换组织"
                data-testid="org-switcher"
                style={{ minWidth: 200 }}
                value={session.current?.organization.id}
                onChange={(id) => session.setCurrent(id)}
                options={me.memberships.map((m) => ({ value: m.organization.id, label: `${m.organization.name} · ${label("Role", m.role)}` }))}
              />
            ) : (
              <Typography.Text>{me.isSuperuser ? "平台管理员（全部组织）" : "无任职"}</Typography.Text>
            )}
            {session.current && <Tag color="red" data-testid="current-role">{label("Role", session.current.role)}</Tag>}
          </Space>
          <Space>
            <Typography.Text data-testid="current-user">{me.displayName || me.username}</Typography.Text>
            <Button
              icon={<LogoutOutlined />}
              onClick={async () => {
                await logout({});
                resetCsrfToken();
                session.refresh();
                navigate("/");
              }}
            >
              退出
            </Button>
          </Space>
        </Header>
        <Content style={{ margin: screens.md ? 16 : 8, padding: screens.md ? 16 : 8, background: "#fff", minWidth: 0 }}>
          <Suspense fallback={<Spin />}>
          <Routes>
            <Route path="/" element={<Navigate to={session.can("children.view_child") ? "/children" : "/dashboard"} replace />} />
            <Route path="/orgs" element={<OrganizationsPage />} />
            <Route path="/orgs/:id" element={<OrganizationsPage />} />
            <Route path="/children" element={<ChildrenPage />} />
            <Route path="/children/:id" element={<ChildFilePage />} />
            <Route path="/wishes" element={<WishBoardPage />} />
            <Route path="/wishes/published" element={<PublishedWishesPage />} />
            <Route path="/happy-homes" element={<HappyHomesPage />} />
            <Route path="/happy-homes/:id" element={<HappyHomeDetailPage />} />
            <Route path="/holiday" element={<HolidayPage />} />
            <Route path="/volunteers" element={<VolunteersPage />} />
            <Route path="/pairings" element={<PairingsPage />} />
            <Route path="/pairings/:id" element={<PairingDetailPage />} />
            <Route path="/campaigns" element={<CampaignsPage />} />
            <Route path="/activities/:id" element={<ActivityDetailPage />} />
            <Route path="/dashboard" element={<DashboardPage />} />
            <Route path="/reports" element={<ReportsPage />} />
            <Route path="/jobs" element={<JobsPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}

export function App() {
  const session = useSession();
  if (session.fetching) return <Spin fullscreen tip="加载中…" />;
  if (!session.me) return <LoginPage />;
  return <Shell />;
}
