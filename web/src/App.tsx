import { Suspense, lazy } from "react";
import { Spin } from "antd";
import { useSession } from "./lib/session";
import { LoginPage } from "./pages/Login";

// The signed-in console (menu, header, every screen) is loaded after signing in: the sign-in screen stays small.
const Shell = lazy(() => import("./Shell").then((m) => ({ default: m.Shell })));

export function App() {
  const session = useSession();
  if (session.fetching) return <Spin fullscreen tip="加载中…" />;
  if (!session.me) return <LoginPage />;
  return <Suspense fallback={<Spin fullscreen tip="加载中…" />}><Shell /></Suspense>;
}
