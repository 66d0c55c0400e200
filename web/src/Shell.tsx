import type React from "react";
import { Suspense, lazy, useEffect, useState } from "react";
import { Layout, Menu, Select, Space, Button, Spin, Typography, Tag, Grid, Drawer, Badge, Dropdown } from "antd";
import {
  ApartmentOutlined, TeamOutlined, GiftOutlined, HomeOutlined, BarChartOutlined, CloudSyncOutlined,
  LogoutOutlined, HeartOutlined, AuditOutlined, FlagOutlined, SunOutlined, UserOutlined, ShopOutlined, MenuOutlined,
  InboxOutlined, DashboardOutlined, BellOutlined, SafetyCertificateOutlined, FileSearchOutlined, KeyOutlined,
  SafetyOutlined, SolutionOutlined,
} from "@ant-design/icons";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { useQuery } from "urql";
import { TodosDocument } from "./gql/graphql";
import { useSession } from "./lib/session";
import { label } from "./lib/labels";
import { NoPermission } from "./components/common";

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
const WorkbenchPage = page(() => import("./pages/Workbench"), "WorkbenchPage");
const NotificationsPage = page(() => import("./pages/Notifications"), "NotificationsPage");
const PeoplePage = page(() => import("./pages/People"), "PeoplePage");
const AuditLogPage = page(() => import("./pages/AuditLog"), "AuditLogPage");
const ChangePasswordPage = page(() => import("./pages/ChangePassword"), "ChangePasswordPage");

const PROGRAMS = ["programs.view_program"];

/** The menu: each screen with the permissions that open it (any one of them; none: every signed-in person). The
 * same list guards the screen's routes, so a screen reached by its address says 无权查看 rather than 暂无数据. */
const MENU: { key: string; icon: React.ReactNode; label: string; permissions?: string[] }[] = [
  { key: "/", icon: <DashboardOutlined />, label: "工作台" },
  { key: "/orgs", icon: <ApartmentOutlined />, label: "组织", permissions: ["orgs.view_organization"] },
  { key: "/children", icon: <TeamOutlined />, label: "儿童档案", permissions: ["children.view_child"] },
  { key: "/cases", icon: <SafetyOutlined />, label: "个案保护", permissions: ["cases.view_case"] },
  { key: "/wishes", icon: <GiftOutlined />, label: "微心愿", permissions: ["wishes.view_wish"] },
  { key: "/wishes/published", icon: <ShopOutlined />, label: "心愿公示认领", permissions: ["wishes.view_published_wish"] },
  { key: "/dispatches", icon: <InboxOutlined />, label: "派单答复", permissions: ["wishes.claim_wish"] },
  { key: "/unit-applications", icon: <SolutionOutlined />, label: "爱心单位审核", permissions: ["permissions.manage_membership"] },
  { key: "/happy-homes", icon: <HomeOutlined />, label: "快乐家园", permissions: PROGRAMS },
  { key: "/holiday", icon: <SunOutlined />, label: "七彩假期", permissions: PROGRAMS },
  { key: "/volunteers", icon: <UserOutlined />, label: "志愿者", permissions: PROGRAMS },
  { key: "/pairings", icon: <HeartOutlined />, label: "结对", permissions: PROGRAMS },
  { key: "/campaigns", icon: <FlagOutlined />, label: "行动与活动", permissions: PROGRAMS },
  { key: "/dashboard", icon: <BarChartOutlined />, label: "统计", permissions: ["rollups.view_rollup"] },
  { key: "/reports", icon: <AuditOutlined />, label: "报送", permissions: ["rollups.submit_report", "rollups.approve_report"] },
  { key: "/people", icon: <SafetyCertificateOutlined />, label: "人员与权限", permissions: ["permissions.manage_membership", "permissions.manage_token"] },
  { key: "/audit", icon: <FileSearchOutlined />, label: "操作日志", permissions: ["permissions.view_audit"] },
  { key: "/jobs", icon: <CloudSyncOutlined />, label: "任务" },
];

// The partner view: a unit's member with no role of their own sees only the unit's work (and its dispatches).
const PARTNER_MENU = [
  { key: "/partner/board", icon: <ShopOutlined />, label: "认领心愿" },
  { key: "/partner/claims", icon: <HeartOutlined />, label: "我的认领" },
  { key: "/dispatches", icon: <InboxOutlined />, label: "派单答复" },
];

/** The menu entry a path belongs to: the longest key it starts with (/wishes/published before /wishes). */
function menuKeyOf(path: string, keys: string[] = MENU.map((m) => m.key)): string | undefined {
  return keys.filter((k) => path === k || (k !== "/" && path.startsWith(k + "/"))).sort((a, b) => b.length - a.length)[0];
}

/** A screen behind its menu entry's permissions (or `also`: a child's file opens for a partner unit that a case was
 * referred to, with the case's grant and no roster). */
function Allowed({ path, also = [], children }: { path: string; also?: string[]; children: React.ReactNode }) {
  const session = useSession();
  const entry = MENU.find((m) => m.key === menuKeyOf(path));
  return !entry?.permissions || [...entry.permissions, ...also].some(session.can) ? <>{children}</> : <NoPermission />;
}

const TODO_REFRESH_MS = 60_000;

/** The console's frame: a side menu on a desktop; on a phone a menu button opening a drawer over a backdrop.
 * Screens render inside it; the 工作台 and administration screens of later issues plug in the same way. */
export function Shell() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const me = session.me!;
  // The to-dos give the menu its badges (each kind counts on the screen its link opens) and the header its unread
  // count; refreshed every minute and whenever another screen re-reads them (after marking notifications read).
  const [{ data: todoData }, refreshTodos] = useQuery({ query: TodosDocument });
  useEffect(() => {
    const timer = setInterval(() => refreshTodos({ requestPolicy: "network-only" }), TODO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refreshTodos]);
  const todos = todoData?.todos;
  const badge = (key: string) => (key === "/" ? todos?.total ?? 0 : (todos?.items ?? [])
    .filter((t) => t.link.split("?")[0] === key).reduce((sum, t) => sum + t.count, 0));
  const partner = me.units.length > 0 && me.memberships.length === 0 && !me.isSuperuser;
  const items = partner ? PARTNER_MENU : MENU.filter((m) => !m.permissions || m.permissions.some(session.can)).map(({ key, icon, label: text }) => ({
    key, icon,
    label: <span data-menu={key}>{text}{badge(key) > 0 && <Badge count={badge(key)} size="small" overflowCount={999} style={{ marginInlineStart: 8 }} data-testid={`menu-badge-${key}`} />}</span>,
  }));
  const selected = menuKeyOf(location.pathname, items.map((m) => m.key));
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
                style={phone ? { width: 136 } : { minWidth: 200 }}
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
          <Space size={phone ? 4 : 8}>
            <Badge count={todos?.unreadNotifications ?? 0} size="small" overflowCount={99} data-testid="unread-count">
              <Button type="text" icon={<BellOutlined />} aria-label="通知" onClick={() => navigate("/notifications?unread=true")} />
            </Badge>
            <Dropdown trigger={["click"]} menu={{
              items: [{ key: "/password", icon: <KeyOutlined />, label: "修改密码" }],
              onClick: ({ key }) => navigate(key),
            }}>
              <Typography.Link data-testid="current-user" ellipsis style={phone ? { maxWidth: 80 } : undefined}>{me.displayName || "已登录"}</Typography.Link>
            </Dropdown>
            <Button
              icon={<LogoutOutlined />}
              aria-label="退出"
              onClick={async () => {
                await session.signOut();
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
            <Route path="/" element={partner ? <Navigate to="/partner/board" replace /> : <WorkbenchPage />} />
            <Route path="/partner/board" element={<PartnerBoardPage />} />
            <Route path="/partner/claims" element={<UnitClaimsPage />} />
            <Route path="/unit-applications" element={<Allowed path="/unit-applications"><UnitApplicationsPage /></Allowed>} />
            <Route path="/notifications" element={<NotificationsPage />} />
            <Route path="/password" element={<ChangePasswordPage />} />
            <Route path="/people" element={<Allowed path="/people"><PeoplePage /></Allowed>} />
            <Route path="/audit" element={<Allowed path="/audit"><AuditLogPage /></Allowed>} />
            <Route path="/orgs" element={<Allowed path="/orgs"><OrganizationsPage /></Allowed>} />
            <Route path="/orgs/:id" element={<Allowed path="/orgs/:id"><OrganizationsPage /></Allowed>} />
            <Route path="/children" element={<Allowed path="/children"><ChildrenPage /></Allowed>} />
            <Route path="/children/:id" element={<Allowed path="/children/:id" also={["cases.view_case"]}><ChildFilePage /></Allowed>} />
            <Route path="/cases" element={<Allowed path="/cases"><CasesPage /></Allowed>} />
            <Route path="/wishes" element={<Allowed path="/wishes"><WishBoardPage /></Allowed>} />
            <Route path="/wishes/published" element={<Allowed path="/wishes/published"><PublishedWishesPage /></Allowed>} />
            <Route path="/dispatches" element={<Allowed path="/dispatches"><DispatchesPage /></Allowed>} />
            <Route path="/happy-homes" element={<Allowed path="/happy-homes"><HappyHomesPage /></Allowed>} />
            <Route path="/happy-homes/:id" element={<Allowed path="/happy-homes/:id"><HappyHomeDetailPage /></Allowed>} />
            <Route path="/holiday" element={<Allowed path="/holiday"><HolidayPage /></Allowed>} />
            <Route path="/volunteers" element={<Allowed path="/volunteers"><VolunteersPage /></Allowed>} />
            <Route path="/pairings" element={<Allowed path="/pairings"><PairingsPage /></Allowed>} />
            <Route path="/pairings/:id" element={<Allowed path="/pairings/:id"><PairingDetailPage /></Allowed>} />
            <Route path="/campaigns" element={<Allowed path="/campaigns"><CampaignsPage /></Allowed>} />
            <Route path="/activities/:id" element={<Allowed path="/campaigns"><ActivityDetailPage /></Allowed>} />
            <Route path="/dashboard" element={<Allowed path="/dashboard"><DashboardPage /></Allowed>} />
            <Route path="/reports" element={<Allowed path="/reports"><ReportsPage /></Allowed>} />
            <Route path="/jobs" element={<JobsPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}

