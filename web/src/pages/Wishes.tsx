import { useState } from "react";
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Popconfirm, Row, Select, Space, Table, Tabs, Tag, Typography, Upload, Checkbox } from "antd";
import { PlusOutlined, UploadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, type AnyVariables, type TypedDocumentNode } from "urql";
import dayjs from "dayjs";
import {
  ClaimWishesDocument, CloseWishDocument, CollectWishDocument, ConfirmFulfilmentDocument, DispatchWishDocument,
  EscalateWishDocument, PrepareWishDocument, PublishWishDocument, PublishedWishesDocument, RecordDeliveryDocument,
  ResubmitWishDocument, ReturnWishDocument, ReviewWishDocument, TakeOverWishDocument, UpdateWishValueDocument, WishBoardDocument,
  WishCountsDocument, WishDetailDocument, WithdrawWishDocument, type WishAction, type WishState,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { RequestError, ActionLink } from "../components/common";
import { ConnectionTable, Pager, useConnection } from "../components/ConnectionTable";
import { useUrlState } from "../lib/urlState";
import { money } from "../lib/figures";
import { TEXT_MAX, TITLE_MAX } from "../lib/limits";
import { OrgSelect } from "../components/OrgSelect";
import { ChildPicker } from "../components/Pickers";

const BOARD: WishState[] = ["COLLECTED", "RETURNED", "REVIEWED", "PUBLISHED", "CLAIMED", "PREPARED", "DELIVERED", "FULFILLED", "ESCALATED", "CLOSED", "WITHDRAWN"];

type SimpleDoc = TypedDocumentNode<any, { input: { id: string; reason?: string; note?: string } }>;
/** How the board offers each step of the wish machine (wishes/machine.py). Which steps a wish offers comes from the
 * server (`availableActions`: state, permission and claims decided there); this only says which mutation runs
 * and what the step asks for: a required reason, or an optional thank-you for the donors (note). Claiming is on
 * the published board, delivery and dispatch have forms. */
type Ask = { field: "reason" | "note"; title: string; required: boolean };
const REASON: Ask = { field: "reason", title: "请填写原因", required: true };
const THANKS: Ask = { field: "note", title: "给认领人的感谢语（可选，认领人在“我的认领”中可见）", required: false };
const SIMPLE: Partial<Record<WishAction, { doc: SimpleDoc; ask?: Ask; danger?: boolean }>> = {
  REVIEW: { doc: ReviewWishDocument },
  RETURN: { doc: ReturnWishDocument, ask: REASON },
  RESUBMIT: { doc: ResubmitWishDocument },
  PUBLISH: { doc: PublishWishDocument },
  PREPARE: { doc: PrepareWishDocument },
  FULFIL: { doc: ConfirmFulfilmentDocument, ask: THANKS },
  ESCALATE: { doc: EscalateWishDocument },
  TAKE_OVER: { doc: TakeOverWishDocument },
  WITHDRAW: { doc: WithdrawWishDocument, danger: true },
  CLOSE: { doc: CloseWishDocument, ask: REASON, danger: true },
};


function ActionButton({ action, wishId, onDone }: { action: WishAction; wishId: string; onDone: () => void }) {
  const spec = SIMPLE[action]!;
  const name = label("WishAction", action);
  const [{ fetching }, run] = useMutation(spec.doc);
  const { message, modal } = App.useApp();
  const go = async (text = "") => {
    const result = await run({ input: { id: wishId, ...(spec.ask ? { [spec.ask.field]: text } : {}) } });
    const payload = result.data ? (Object.values(result.data)[0] as { errors: { message: string; code: string }[] }) : null;
    const problem = payloadErrorMessage(payload?.errors) ?? requestErrorMessage(result.error);
    if (problem) message.error(problem);
    else { message.success(`${name}：已完成`); onDone(); }
  };
  const ask = spec.ask;
  if (ask) {
    return (
      <Button size="small" danger={spec.danger} loading={fetching} onClick={() => {
        let text = "";
        modal.confirm({
          title: `${name}：${ask.title}`,
          content: <Input.TextArea aria-label={ask.field === "reason" ? "原因" : "感谢语"} maxLength={TEXT_MAX} onChange={(e) => (text = e.target.value)} />,
          okText: "确定", cancelText: "取消",
          onOk: () => go(text),
        });
      }}>{name}</Button>
    );
  }
  if (spec.danger) {
    return <Popconfirm title={`确定${name}？`} onConfirm={() => go()}><Button size="small" danger loading={fetching}>{name}</Button></Popconfirm>;
  }
  return <Button size="small" type="primary" ghost loading={fetching} onClick={() => go()} data-testid={`wish-action-${action}`}>{name}</Button>;
}

/** 微心愿: the life-cycle board by state (tab, organization and page in the URL; tab counts from the server),
 * with its actions, collection, dispatch and delivery. */
export function WishBoardPage() {
  const session = useSession();
  const url = useUrlState();
  const state = (url.get("state") ?? "COLLECTED") as WishState;
  const organization = url.get("organization");
  const [openId, setOpenId] = useState<string | null>(null);
  const [collecting, setCollecting] = useState(false);
  const list = useConnection({
    query: WishBoardDocument, variables: { filters: { state, ...(organization ? { organization } : {}) }, order: { createdAt: "DESC" } },
    pick: (d) => d.wishes,
  });
  const [{ data: counts }, recount] = useQuery({ query: WishCountsDocument, variables: { organization: organization ?? null } });
  const reload = () => { list.refetch(); recount({ requestPolicy: "network-only" }); };
  const canChange = session.can("wishes.change_wish");

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap" }}>
        <Typography.Title level={4} style={{ margin: 0 }}>微心愿</Typography.Title>
        <Space wrap>
          <OrgSelect allowClear placeholder="组织（含下级）" value={organization} onChange={(id) => url.set({ organization: id })} />
          {canChange && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCollecting(true)}>征集心愿</Button>}
        </Space>
      </Space>
      <Tabs activeKey={state} onChange={(k) => url.set({ state: k === "COLLECTED" ? undefined : k })}
        items={BOARD.map((s) => ({ key: s, label: `${label("WishState", s)}${counts ? `（${(counts as unknown as Record<string, { totalCount?: number | null } | undefined>)[s]?.totalCount ?? 0}）` : ""}` }))} />
      <ConnectionTable testId="wish-board" list={list} unit="个" columns={[
          { title: "心愿", dataIndex: "title", render: (v, w) => <ActionLink onClick={() => setOpenId(w.id)}>{v}</ActionLink> },
          { title: "类别", dataIndex: "category", render: (v) => label("WishCategory", v) },
          { title: "孩子", render: (_, w) => (w.child ? `${w.child.name}（${w.child.age}岁）` : w.household || "—") },
          { title: "估值（元）", dataIndex: "estimatedValue", render: (v) => money(v) },
          { title: "已认领（元）", dataIndex: "coveredAmount", render: (v) => money(v) },
          { title: "组织", render: (_, w) => w.organization?.name },
          { title: "承办", dataIndex: "handlingOrganizationName" },
          {
            title: "操作",
            render: (_, w) => (
              <Space wrap size={4}>
                {w.availableActions.filter((a) => SIMPLE[a]).map((a) => (
                  <ActionButton key={a} action={a} wishId={w.id} onDone={reload} />
                ))}
                {w.availableActions.includes("DELIVER") && <DeliveryButton wishId={w.id} onDone={reload} />}
              </Space>
            ),
          },
        ]} />
      <WishDrawer id={openId} onClose={() => setOpenId(null)} onChanged={reload} />
      <CollectWishModal open={collecting} onClose={(saved) => { setCollecting(false); if (saved) { url.set({ state: undefined }); reload(); } }} />
    </>
  );
}

function DeliveryButton({ wishId, onDone }: { wishId: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const [photos, setPhotos] = useState<File[]>([]);
  const [{ fetching }, record] = useMutation(RecordDeliveryDocument);
  const { message } = App.useApp();
  return (
    <>
      <Button size="small" type="primary" ghost onClick={() => setOpen(true)}>记录发放</Button>
      <Modal title="记录发放" open={open} onCancel={() => setOpen(false)} confirmLoading={fetching} okText="保存"
        onOk={async () => {
          const result = await record({ input: { wishId, note, photos } });
          const problem = payloadErrorMessage(result.data?.recordDelivery.errors) ?? requestErrorMessage(result.error);
          if (problem) return message.error(problem);
          message.success("已记录发放");
          setOpen(false);
          onDone();
        }}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Input.TextArea placeholder="发放说明" maxLength={TEXT_MAX} value={note} onChange={(e) => setNote(e.target.value)} />
          <Upload accept="image/*" multiple beforeUpload={(f) => { setPhotos((p) => [...p, f]); return false; }} onRemove={(f) => setPhotos((p) => p.filter((x) => x.name !== f.name))}>
            <Button icon={<UploadOutlined />}>发放现场照片（需监护人照片同意）</Button>
          </Upload>
        </Space>
      </Modal>
    </>
  );
}

function WishDrawer({ id, onClose, onChanged }: { id: string | null; onClose: () => void; onChanged: () => void }) {
  const [{ data }, refetch] = useQuery({ query: WishDetailDocument, variables: { id: id ?? "" }, pause: !id, requestPolicy: "network-only" });
  const [dispatching, setDispatching] = useState(false);
  const canChange = useSession().can("wishes.change_wish");
  const w = data?.wish;
  return (
    <Drawer open={!!id} onClose={onClose} title={w?.title ?? "心愿"} width={Math.min(560, window.innerWidth)}>
      {w && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="状态"><Tag color="red">{label("WishState", w.state)}</Tag></Descriptions.Item>
            <Descriptions.Item label="孩子的话">{w.text || "—"}</Descriptions.Item>
            <Descriptions.Item label="估值 / 已认领 / 剩余（元）">
              {money(w.estimatedValue)} / {money(w.coveredAmount)} / {money(w.remaining)}
              {canChange && <ValueButton wishId={w.id} value={Number(w.estimatedValue)} onDone={() => { refetch({ requestPolicy: "network-only" }); onChanged(); }} />}
            </Descriptions.Item>
            <Descriptions.Item label="认领截止">{w.claimDeadline ?? "—"}</Descriptions.Item>
            <Descriptions.Item label="退回原因">{w.returnReason || "—"}</Descriptions.Item>
            <Descriptions.Item label="无法实现原因">{w.closeReason || "—"}</Descriptions.Item>
            <Descriptions.Item label="发放说明">{w.deliveryNote || "—"}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5}>认领</Typography.Title>
          <Table size="small" rowKey={(_, i) => String(i)} pagination={false} dataSource={w.claims}
            columns={[{ title: "认领人", dataIndex: "donorLabel" }, { title: "类型", dataIndex: "donorKind", render: (v) => label("DonorKind", v) }, { title: "金额（元）", dataIndex: "amount", render: (v) => money(v) }, { title: "时间", dataIndex: "createdAt", render: (v) => dayjs(v).format("YYYY-MM-DD HH:mm") }]} />
          <Typography.Title level={5}>派单</Typography.Title>
          <Table size="small" rowKey="id" pagination={false} dataSource={w.dispatches}
            columns={[{ title: "单位", dataIndex: "unitName" }, { title: "状态", dataIndex: "state", render: (v) => label("DispatchState", v) }, { title: "期限", dataIndex: "deadline", render: (v) => dayjs(v).format("YYYY-MM-DD") }]} />
          {w.availableActions.includes("DISPATCH") && <Button onClick={() => setDispatching(true)}>派单给单位</Button>}
          {w.photos.length > 0 && <Space wrap>{w.photos.map((p, i) => <img key={i} src={p.url} width={120} alt="发放照片" />)}</Space>}
          <DispatchModal wishId={w.id} open={dispatching} onClose={() => { setDispatching(false); refetch({ requestPolicy: "network-only" }); onChanged(); }} />
        </Space>
      )}
    </Drawer>
  );
}

/** 修改估值: until the gift is prepared, never below what donors have claimed (the server says why not). */
function ValueButton({ wishId, value, onDone }: { wishId: string; value: number; onDone: () => void }) {
  const [{ fetching }, update] = useMutation(UpdateWishValueDocument);
  const { message, modal } = App.useApp();
  return (
    <Button size="small" type="link" loading={fetching} onClick={() => {
      let next: number | null = value;
      modal.confirm({
        title: "修改估值（元）",
        content: <InputNumber aria-label="新估值" min={0} precision={2} defaultValue={value} style={{ width: "100%" }} onChange={(v) => (next = v)} />,
        okText: "保存", cancelText: "取消",
        onOk: async () => {
          const result = await update({ input: { id: wishId, estimatedValue: String(next ?? 0) } });
          const problem = payloadErrorMessage(result.data?.updateWishValue.errors) ?? requestErrorMessage(result.error);
          if (problem) { message.error(problem); return; }
          message.success("估值已修改");
          onDone();
        },
      });
    }}>修改估值</Button>
  );
}

function DispatchModal({ wishId, open, onClose }: { wishId: string; open: boolean; onClose: () => void }) {
  const [form] = Form.useForm();
  const [{ fetching }, dispatch] = useMutation(DispatchWishDocument);
  const { message } = App.useApp();
  return (
    <Modal title="派单" open={open} onCancel={onClose} onOk={() => form.submit()} confirmLoading={fetching}>
      <Form form={form} layout="vertical" onFinish={async (v: { unitId: string; deadline: dayjs.Dayjs }) => {
        const result = await dispatch({ input: { wishId, unitId: v.unitId, deadline: v.deadline.toISOString() } });
        const problem = payloadErrorMessage(result.data?.dispatchWish.errors) ?? requestErrorMessage(result.error);
        if (problem) return message.error(problem);
        message.success("已派单");
        onClose();
      }}>
        <Form.Item name="unitId" label="承接单位" rules={[{ required: true }]}><OrgSelect /></Form.Item>
        <Form.Item name="deadline" label="答复期限" rules={[{ required: true }]}><DatePicker showTime /></Form.Item>
      </Form>
    </Modal>
  );
}

function CollectWishModal({ open, onClose }: { open: boolean; onClose: (saved: boolean) => void }) {
  const [form] = Form.useForm();
  const session = useSession();
  const [{ fetching }, collect] = useMutation(CollectWishDocument);
  const { message } = App.useApp();
  return (
    <Modal title="征集心愿" open={open} onCancel={() => onClose(false)} onOk={() => form.submit()} confirmLoading={fetching} destroyOnClose>
      <Form form={form} layout="vertical" initialValues={{ organizationId: session.current?.organization.id, category: "STUDY_SUPPLIES", quantity: 1 }}
        onFinish={async (v) => {
          const result = await collect({ input: { ...v, estimatedValue: String(v.estimatedValue) } });
          const problem = payloadErrorMessage(result.data?.collectWish.errors) ?? requestErrorMessage(result.error);
          if (problem) return message.error(problem);
          message.success("已征集");
          onClose(true);
        }}>
        <Form.Item name="organizationId" label="组织" rules={[{ required: true }]}><OrgSelect /></Form.Item>
        <Form.Item name="title" label="心愿" rules={[{ required: true, message: "请填写心愿" }]}><Input maxLength={TITLE_MAX} showCount /></Form.Item>
        <Form.Item name="text" label="孩子的原话"><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
        <Form.Item name="category" label="类别" rules={[{ required: true }]}><Select options={enumOptions("WishCategory")} /></Form.Item>
        <Form.Item name="estimatedValue" label="估值（元）" rules={[{ required: true, message: "请填写估值" }]}><InputNumber min={0} /></Form.Item>
        <Form.Item name="childId" label="儿童"><ChildPicker /></Form.Item>
        <Form.Item name="household" label="家庭（无具体儿童时）" extra="儿童与家庭二选一"><Input maxLength={TITLE_MAX} /></Form.Item>
      </Form>
    </Modal>
  );
}

/** 心愿公示: the board a partner unit or donor sees, with claiming (1+1, N+1 with a share, 1+N several at once). */
export function PublishedWishesPage() {
  const session = useSession();
  const [selected, setSelected] = useState<string[]>([]);
  const [shares, setShares] = useState<Record<string, number | null>>({});
  const [unitId, setUnitId] = useState<string | undefined>();
  const [asUnit, setAsUnit] = useState(false);
  const list = useConnection({ query: PublishedWishesDocument, variables: {}, pick: (d) => d.publishedWishes, pageSize: 24 });
  const [{ fetching: claiming }, claim] = useMutation(ClaimWishesDocument);
  const { message } = App.useApp();
  const wishes = list.rows;
  const canClaim = session.can("wishes.claim_wish");

  const submit = async () => {
    const anyShare = selected.some((id) => shares[id]);
    const result = await claim({
      input: {
        wishIds: selected,
        shares: anyShare ? selected.map((id) => (shares[id] ? String(shares[id]) : null)) : null,
        unitId: asUnit ? unitId ?? null : null,
      },
    });
    const problem = payloadErrorMessage(result.data?.claimWishes.errors) ?? requestErrorMessage(result.error);
    if (problem) return message.error(problem);
    message.success(`已认领 ${selected.length} 个心愿`);
    setSelected([]);
    setShares({});
    list.refetch();
  };

  return (
    <>
      <Typography.Title level={4}>心愿公示与认领</Typography.Title>
      <Typography.Paragraph type="secondary">
        勾选一个心愿认领剩余全部（1+1）；填写金额只认领一部分（N+1，多人合力）；勾选多个一次认领（1+N，要么全部成功，要么都不认领）。
      </Typography.Paragraph>
      <RequestError error={list.error} />
      {canClaim && (
        <Space wrap style={{ marginBottom: 12 }}>
          <Checkbox checked={asUnit} onChange={(e) => setAsUnit(e.target.checked)}>代表单位认领</Checkbox>
          {asUnit && <OrgSelect value={unitId} onChange={setUnitId} placeholder="选择单位" />}
          <Button type="primary" disabled={!selected.length} loading={claiming} onClick={submit} data-testid="claim-selected">认领所选（{selected.length}）</Button>
        </Space>
      )}
      <Row gutter={[12, 12]} data-testid="published-board">
        {wishes.map((w) => (
          <Col key={w.id} xs={24} sm={12} lg={8}>
            <Card size="small" title={w.title}
              extra={canClaim && Number(w.remaining) > 0 ? (
                <Checkbox aria-label={`选择 ${w.title}`} checked={selected.includes(w.id)} onChange={(e) => setSelected((s) => (e.target.checked ? [...s, w.id] : s.filter((x) => x !== w.id)))} />
              ) : null}>
              <Typography.Paragraph ellipsis={{ rows: 2 }}>{w.text || "—"}</Typography.Paragraph>
              <div>{w.place} · {w.childName ?? w.household}{w.childAge != null ? `，${w.childAge}岁` : ""}</div>
              <div>{label("WishCategory", w.category)} · 估值 {money(w.estimatedValue)} 元 · 剩余 <b>{money(w.remaining)}</b> 元</div>
              {w.claims.length > 0 && <div>已认领：{w.claims.map((c) => `${c.donorLabel} ${money(c.amount)} 元`).join("、")}</div>}
              {selected.includes(w.id) && (
                <InputNumber style={{ marginTop: 8, width: "100%" }} min={0.01} max={Number(w.remaining)} placeholder="认领金额（空 = 剩余全部）"
                  value={shares[w.id] ?? null} onChange={(v) => setShares((s) => ({ ...s, [w.id]: v }))} />
              )}
            </Card>
          </Col>
        ))}
        {!list.fetching && wishes.length === 0 && <Col span={24}><Alert message="暂无公示中的心愿" /></Col>}
      </Row>
      <Pager list={list} unit="个" />
    </>
  );
}
