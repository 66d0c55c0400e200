import { Suspense, lazy } from "react";
import { Spin } from "antd";
import { Navigate, useLocation } from "react-router-dom";
import { useSession } from "./lib/session";
import { LoginPage } from "./pages/Login";
import { ChangePasswordPage } from "./pages/ChangePassword";

// The signed-in console (menu, header, every screen) is loaded after signing in: the sign-in screen stays small.
// Signed out, the sign-in page shows at the address the user is at, so that signing in opens that very page
// (path and query) again; a one-time password must be changed before anything else.
const Shell = lazy(() => import("./Shell").then((m) => ({ default: m.Shell })));
// The public wish board and the donors' own page: no sign-in, a chunk of their own.
const PublicSite = lazy(() => import("./pages/Public").then((m) => ({ default: m.PublicSite })));

export function App() {
  const session = useSession();
  const location = useLocation();
  if (location.pathname.startsWith("/public/")) {
    return <Suspense fallback={<Spin fullscreen tip="加载中…" />}><PublicSite /></Suspense>;
  }
  if (session.fetching) return <Spin fullscreen tip="加载中…" />;
  if (!session.me) return <LoginPage />;
  if (session.me.mustChangePassword) return <ChangePasswordPage forced />;
  const me = session.me;
  if (me.isDonor && me.memberships.length === 0 && me.units.length === 0 && !me.isSuperuser) {
    return <Navigate to="/public/donor" replace />; // a donor has no console: their page is on the public site
  }
  return <Suspense fallback={<Spin fullscreen tip="加载中…" />}><Shell /></Suspense>;
}
