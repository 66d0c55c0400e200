import React from "react";
import ReactDOM from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { ConfigProvider, App as AntApp } from "antd";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { Provider } from "urql";
import { makeClient } from "./lib/client";
import { SessionProvider } from "./lib/session";
import { App } from "./App";
import { ErrorBoundary } from "./components/ErrorBoundary";

dayjs.locale("zh-cn");
const client = makeClient();

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: "#c8161d" } }}
      modal={{ closable: { "aria-label": "关闭" } }} drawer={{ closable: { "aria-label": "关闭" } }}>
      <AntApp>
        <ErrorBoundary>
          <Provider value={client}>
            <BrowserRouter>
              <SessionProvider>
                <App />
              </SessionProvider>
            </BrowserRouter>
          </Provider>
        </ErrorBoundary>
      </AntApp>
    </ConfigProvider>
  </React.StrictMode>,
);
