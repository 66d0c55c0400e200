import { Suspense, lazy } from "react";
import { Spin } from "antd";
import { useSession } from "./lib/session";
import { LoginPage } from "./pages/Login";
import { ChangePasswordPage } from "./pages/ChangePassword";

// The signed-in console (menu, header, every screen) is loaded after signing in: the sign-in screen stays small.
// Signed out, the sign-in page shows at the address the user is at, so that signing in opens that very page
// (path and query) again; a one-time password must be changed before anything else.
const Shell = lazy(() => import("./Shell").then((m) => ({ default: m.Shell })));

export function App() {
  const session = useSession();
  if (session.fetching) return <Spin fullscreen tip="加载中…" />;
  if (!session.me) return <LoginPage />;
  if (session.me.mustChangePassword) return <ChangePasswordPage forced />;
  return <Suspense fallback={<Spin fullscreen tip="加载中…" />}><Shell /></Suspense>;
}
