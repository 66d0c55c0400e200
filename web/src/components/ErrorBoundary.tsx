import { Component, type ReactNode } from "react";
import { Result, Button } from "antd";

// A rendering failure shows a Chinese message and a way back; the details go to the console only.
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch(error: unknown) {
    console.error(error);
  }
  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <Result
        status="error"
        title="页面出错了"
        subTitle="请刷新页面后重试；如仍有问题，请联系管理员。"
        extra={<Button onClick={() => (window.location.href = "/")}>返回首页</Button>}
      />
    );
  }
}
