import type React from "react";
import { Suspense, lazy, useState } from "react";
import { Layout, Menu, Select, Space, Button, Spin, Typography, Tag, Grid, Drawer } from "antd";
import {
  ApartmentOutlined, TeamOutlined, GiftOutlined, HomeOutlined, BarChartOutlined, CloudSyncOutlined,
  LogoutOutlined, HeartOutlined, AuditOutlined, FlagOutlined, SunOutlined, UserOutlined, ShopOutlined, MenuOutlined,
  InboxOutlined, SafetyOutlined, SolutionOutlined,
} from "@ant-design/icons";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { useMutation } from "urql";
import { LogoutDocument } from "./gql/graphql";
import { useSession } from "./lib/session";
import { label } from "./lib/labels";
import { resetCsrfToken } from "./lib/csrf";

const { Header, Sider, Content } = Layout;

// Every screen is its own chunk, loaded when first opened: the sign-in screen downloads none of them.
const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));
const OrganizationsPage = page(() => import("./pages/Organizations"), "OrganizationsPage");
const ChildrenPage = page(() => import("./pages/Children"), "ChildrenPage");
const ChildFilePage = page(() => import("./pages/ChildFile"), "ChildFilePage");
const CasesPage = page(() => import("./pages/Cases"), "CasesPage");
const WishBoardPage = page(() => import("./pages/Wishes"), "WishBoardPage");
const PublishedWishesPage = page(() => import("./pages/Wishes"), "PublishedWishesPage");
const DispatchesPage = page(() => import("./pages/Dispatches"), "DispatchesPage");
const JobsPage = page(() => import("./pages/Jobs"), "JobsPage");
const ReportsPage = page(() => import("./pages/Reports"), "ReportsPage");
const HappyHomesPage = page(() => import("./pages/HappyHomes"), "HappyHomesPage");
const HappyHomeDetailPage = page(() => import("./pages/HappyHomes"), "HappyHomeDetailPage");
const HolidayPage = page(() => import("./pages/Holiday"), "HolidayPage");
const VolunteersPage = page(() => import("./pages/Volunteers"), "VolunteersPage");
const PairingsPage = page(() => import("./pages/Pairings"), "PairingsPage");
const PairingDetailPage = page(() => import("./pages/Pairings"), "PairingDetailPage");
const CampaignsPage = page(() => import("./pages/Campaigns"), "CampaignsPage");
const ActivityDetailPage = page(() => import("./pages/Campaigns"), "ActivityDetailPage");
const DashboardPage = page(() => import("./pages/Dashboard"), "DashboardPage");
const PartnerBoardPage = page(() => import("./pages/Partner"), "PartnerBoardPage");
const UnitClaimsPage = page(() => import("./pages/Partner"), "UnitClaimsPage");
const UnitApplicationsPage = page(() => import("./pages/Partner"), "UnitApplicationsPage");

const MENU: { key: string; icon: React.ReactNode; label: string; permission?: string }[] = [
  { key: "/orgs", icon: <ApartmentOutlined />, label: "组织" },
  { key: "/children", icon: <TeamOutlined />, label: "儿童档案" },
  { key: "/cases", icon: <SafetyOutlined />, label: "个案保护", permission: "cases.view_case" },
  { key: "/wishes", icon: <GiftOutlined />, label: "微心愿" },
  { key: "/wishes/published", icon: <ShopOutlined />, label: "心愿公示认领" },
  { key: "/dispatches", icon: <InboxOutlined />, label: "派单答复", permission: "wishes.claim_wish" },
  { key: "/unit-applications", icon: <SolutionOutlined />, label: "爱心单位审核", permission: "permissions.manage_membership" },
  { key: "/happy-homes", icon: <HomeOutlined />, label: "快乐家园" },
  { key: "/holiday", icon: <SunOutlined />, label: "七彩假期" },
  { key: "/volunteers", icon: <UserOutlined />, label: "志愿者" },
  { key: "/pairings", icon: <HeartOutlined />, label: "结对" },
  { key: "/campaigns", icon: <FlagOutlined />, label: "行动与活动" },
  { key: "/dashboard", icon: <BarChartOutlined />, label: "统计" },
  { key: "/reports", icon: <AuditOutlined />, label: "报送" },
  { key: "/jobs", icon: <CloudSyncOutlined />, label: "任务" },
];

// The partner view: a unit's member with no role of their own sees only the unit's work (and its dispatches).
const PARTNER_MENU = [
  { key: "/partner/board", icon: <ShopOutlined />, label: "认领心愿" },
  { key: "/partner/claims", icon: <HeartOutlined />, label: "我的认领" },
  { key: "/dispatches", icon: <InboxOutlined />, label: "派单答复" },
];

/** The console's frame: a side menu on a desktop; on a phone a menu button opening a drawer over a backdrop.
 * Screens render inside it; the 工作台 and administration screens of later issues plug in the same way. */
export function Shell() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [, logout] = useMutation(LogoutDocument);
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const me = session.me!;
  const partner = me.units.length > 0 && me.memberships.length === 0 && !me.isSuperuser;
  const items = partner ? PARTNER_MENU
    : MENU.filter((m) => !m.permission || session.can(m.permission)).map(({ permission: _p, ...item }) => item);
  const selected = items.map((m) => m.key)
    .filter((k) => location.pathname === k || location.pathname.startsWith(k + "/"))
    .sort((a, b) => b.length - a.length)[0];
  const menu = (
    <Menu mode="inline" selectedKeys={selected ? [selected] : []} items={items} aria-label="主菜单"
      onClick={({ key }) => { navigate(key); setDrawer(false); }} />
  );
  const brand = (short: boolean) => (
    <div style={{ padding: 16, fontWeight: 600, color: "#c8161d", whiteSpace: "nowrap", overflow: "hidden" }}>{short ? "关爱" : "留守儿童关爱平台"}</div>
  );

  return (
    <Layout style={{ minHeight: "100vh" }}>
      {phone ? (
        <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" width={240} title={brand(false)}
          styles={{ body: { padding: 0 }, header: { padding: 0 } }} closable={{ "aria-label": "关闭菜单" }} data-testid="menu-drawer">
          {menu}
        </Drawer>
      ) : (
        <Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} theme="light" breakpoint="lg">
          {brand(collapsed)}
          {menu}
        </Sider>
      )}
      <Layout>
        <Header style={{ background: "#fff", padding: phone ? "6px 8px" : "0 16px", display: "flex", alignItems: "center", justifyContent: "space-between", flexWrap: "wrap", height: "auto", minHeight: 56, lineHeight: "normal", gap: 8 }}>
          <Space wrap size={phone ? 4 : 8}>
            {phone && <Button type="text" icon={<MenuOutlined />} aria-label="打开菜单" onClick={() => setDrawer(true)} data-testid="menu-button" />}
            {!phone && <Typography.Text type="secondary">当前组织</Typography.Text>}
            {me.memberships.length > 0 ? (
              <Select
                aria-label="切换组织"
                data-testid="org-switcher"
                style={{ minWidth: phone ? 150 : 200, maxWidth: phone ? 210 : undefined }}
                value={session.current?.organization.id}
                onChange={(id) => session.setCurrent(id)}
                options={me.memberships.map((m) => ({ value: m.organization.id, label: `${m.organization.name} · ${label("Role", m.role)}` }))}
              />
            ) : (
              <Typography.Text data-testid="acting-unit">
                {me.isSuperuser ? "平台管理员（全部组织）" : partner ? `${me.units.map((u) => u.name).join("、")} · 合作单位` : "无任职"}
              </Typography.Text>
            )}
            {session.current && !phone && <Tag color="red" data-testid="current-role">{label("Role", session.current.role)}</Tag>}
          </Space>
          <Space>
            <Typography.Text data-testid="current-user">{me.displayName || "已登录"}</Typography.Text>
            <Button
              icon={<LogoutOutlined />}
              aria-label="退出"
              onClick={async () => {
                await logout({});
                resetCsrfToken();
                session.refresh();
                navigate("/");
              }}
            >
              {phone ? null : "退出"}
            </Button>
          </Space>
        </Header>
        <Content style={{ margin: phone ? 0 : 16, padding: phone ? 8 : 16, background: "#fff", minWidth: 0 }}>
          <Suspense fallback={<Spin />}>
          <Routes>
            <Route path="/" element={<Navigate to={partner ? "/partner/board" : session.can("children.view_child") ? "/children" : "/dashboard"} replace />} />
            <Route path="/partner/board" element={<PartnerBoardPage />} />
            <Route path="/partner/claims" element={<UnitClaimsPage />} />
            <Route path="/unit-applications" element={<UnitApplicationsPage />} />
            <Route path="/orgs" element={<OrganizationsPage />} />
            <Route path="/orgs/:id" element={<OrganizationsPage />} />
            <Route path="/children" element={<ChildrenPage />} />
            <Route path="/children/:id" element={<ChildFilePage />} />
            <Route path="/cases" element={<CasesPage />} />
            <Route path="/wishes" element={<WishBoardPage />} />
            <Route path="/wishes/published" element={<PublishedWishesPage />} />
            <Route path="/dispatches" element={<DispatchesPage />} />
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

