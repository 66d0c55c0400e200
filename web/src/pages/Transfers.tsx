import { useState } from "react";
import { App, Button, Form, Input, Modal, Space, Tag } from "antd";
import dayjs from "dayjs";
import { useMutation } from "urql";
import { AcceptTransferDocument, DeclineTransferDocument, RequestTransferInDocument, TransfersDocument } from "../gql/graphql";
import { label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { idNumberRule } from "../components/IdNumberInput";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { TEXT_MAX } from "../lib/limits";

/** 档案转移: transfers in and out that one's organizations take part in; accept or decline; ask for a record. */
export function TransfersPanel() {
  const session = useSession();
  const list = useConnection({ query: TransfersDocument, variables: {}, pick: (d) => d.transfers, pageKey: "p2" });
  const [, accept] = useMutation(AcceptTransferDocument);
  const [, decline] = useMutation(DeclineTransferDocument);
  const [, requestIn] = useMutation(RequestTransferInDocument);
  const [asking, setAsking] = useState(false);
  const { message } = App.useApp();
  const reload = list.refetch;
  const answer = (payload: { errors: { message: string; code: string }[] } | undefined, err: Parameters<typeof requestErrorMessage>[0], ok: string) => {
    const problem = payloadErrorMessage(payload?.errors) ?? requestErrorMessage(err);
    if (problem) message.error(problem); else { message.success(ok); reload(); }
    return !problem;
  };
  return (
    <>
      <Space style={{ marginBottom: 8 }}>
        {session.can("children.transfer_child") && <Button onClick={() => setAsking(true)}>按身份证号申请转入</Button>}
      </Space>
      <ConnectionTable list={list} unit="件" columns={[
          { title: "儿童", render: (_, t) => t.childName == null ? "原单位同意后可见" : `${t.childName}（${t.childAge}岁）` },
          { title: "转出", dataIndex: "fromOrganizationName" },
          { title: "转入", dataIndex: "toOrganizationName" },
          { title: "原因", dataIndex: "reason" },
          { title: "状态", dataIndex: "state", render: (v) => <Tag>{label("TransferState", v)}</Tag> },
          { title: "发起", render: (_, t) => `${t.requestedBy} ${dayjs(t.createdAt).format("YYYY-MM-DD")}${t.requestedByReceiver ? "（接收方申请）" : ""}` },
          {
            title: "操作",
            render: (_, t) => t.state === "REQUESTED" ? (
              <Space size={4}>
                <Button size="small" type="primary" ghost onClick={async () => { const r = await accept({ input: { id: t.id } }); answer(r.data?.acceptTransfer, r.error, "已同意"); }}>同意</Button>
                <Button size="small" danger onClick={async () => { const r = await decline({ input: { id: t.id } }); answer(r.data?.declineTransfer, r.error, "已拒绝"); }}>拒绝</Button>
              </Space>
            ) : null,
          },
        ]} />
      <Modal title="申请转入" open={asking} onCancel={() => setAsking(false)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={async (v: { idNumber: string; reason: string }) => {
          const to = session.current?.organization.id;
          if (!to) return;
          const r = await requestIn({ input: { toOrganizationId: to, idNumber: v.idNumber.trim().toUpperCase(), reason: v.reason } });
          if (answer(r.data?.requestTransferIn, r.error, "已申请，等待原单位处理")) setAsking(false);
        }}>
          <Form.Item name="idNumber" label="身份证号" rules={[idNumberRule]}><Input maxLength={18} /></Form.Item>
          <Form.Item name="reason" label="原因" rules={[{ required: true, message: "请填写原因" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" htmlType="submit">申请（转入 {session.current?.organization.name}）</Button>
        </Form>
      </Modal>
    </>
  );
}
