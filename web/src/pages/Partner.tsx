import { useState } from "react";
import { Alert, App, Button, InputNumber, Modal, Popconfirm, Radio, Select, Space, Tabs, Tag, Typography } from "antd";
import { useMutation } from "urql";
import {
  ClaimWishesDocument, DecideUnitApplicationDocument, PublishedWishesDocument, UnitApplicationsDocument, UnitClaimsDocument,
  type PublishedWishesQuery, type UnitApplicationState,
} from "../gql/graphql";
import { ConnectionTable, Pager, useConnection } from "../components/ConnectionTable";
import { ClaimCard } from "../components/ClaimCard";
import { RequestError } from "../components/common";
import { label } from "../lib/labels";
import { money } from "../lib/figures";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { useUrlState } from "../lib/urlState";

type Published = PublishedWishesQuery["publishedWishes"]["edges"][number]["node"];

/** 认领心愿 (partner console): the boards the unit's roles reach; a member claims for the unit, whole or a share. */
export function PartnerBoardPage() {
  const list = useConnection({ query: PublishedWishesDocument, variables: { filters: { claimable: true } }, pick: (d) => d.publishedWishes });
  const [claiming, setClaiming] = useState<Published | null>(null);
  return (
    <>
      <Typography.Title level={4}>认领心愿</Typography.Title>
      <Typography.Paragraph type="secondary">以单位名义认领公示中的心愿：可认领剩余全部，也可认领一份。认领后在“我的认领”查看备礼、发放和圆梦进度。</Typography.Paragraph>
      <ConnectionTable testId="partner-board" list={list} unit="个心愿" emptyText="暂无可认领的心愿" columns={[
        { title: "心愿", render: (_, w) => <Space direction="vertical" size={0}><b>{w.title}</b><Typography.Text type="secondary">{w.text}</Typography.Text></Space> },
        { title: "孩子", render: (_, w) => w.childName ? `${w.childName}（${w.childAge}岁）` : w.household || "—" },
        { title: "所在", dataIndex: "place" },
        { title: "类别", render: (_, w) => label("WishCategory", w.category) },
        { title: "估价（元）", render: (_, w) => money(w.estimatedValue) },
        { title: "还差（元）", render: (_, w) => money(w.remaining) },
        { title: "认领", render: (_, w) => <Button type="primary" onClick={() => setClaiming(w)} data-testid="unit-claim-button">为单位认领</Button> },
      ]} />
      {claiming && <UnitClaimModal wish={claiming} onClose={(done) => { setClaiming(null); if (done) list.refetch(); }} />}
    </>
  );
}

function UnitClaimModal({ wish, onClose }: { wish: Published; onClose: (done: boolean) => void }) {
  const session = useSession();
  const { message } = App.useApp();
  const units = session.me?.units ?? [];
  const [unitId, setUnitId] = useState(units[0]?.id);
  const [whole, setWhole] = useState(true);
  const [share, setShare] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [{ fetching }, claim] = useMutation(ClaimWishesDocument);
  const submit = async () => {
    const result = await claim({ input: { wishIds: [wish.id], shares: [whole ? null : String(share ?? 0)], unitId } });
    const error = payloadErrorMessage(result.data?.claimWishes.errors) ?? requestErrorMessage(result.error);
    if (error) return setProblem(error);
    message.success("已为单位认领");
    onClose(true);
  };
  return (
    <Modal open title={`为单位认领：${wish.title}`} onCancel={() => onClose(false)} onOk={submit} okText="确认认领" cancelText="取消"
      confirmLoading={fetching} okButtonProps={{ "data-testid": "confirm-unit-claim" } as never}>
      <Space direction="vertical" style={{ width: "100%" }}>
        {problem && <Alert type="error" showIcon message={problem} />}
        <Select aria-label="认领单位" value={unitId} onChange={setUnitId} options={units.map((u) => ({ value: u.id, label: u.name }))} style={{ width: "100%" }} />
        <Radio.Group value={whole} onChange={(e) => setWhole(e.target.value)}>
          <Space direction="vertical">
            <Radio value={true}>认领剩余全部 {money(wish.remaining)} 元</Radio>
            <Radio value={false}>认领一份</Radio>
          </Space>
        </Radio.Group>
        {!whole && <InputNumber aria-label="认领金额" min={1} max={Number(wish.remaining)} value={share} onChange={setShare} addonAfter="元" />}
      </Space>
    </Modal>
  );
}

/** 我的认领 (partner console): the claims of the units one acts for and the wishes' progress to fulfilment. */
export function UnitClaimsPage() {
  const list = useConnection({ query: UnitClaimsDocument, variables: {}, pick: (d) => d.unitClaims, pageSize: 10 });
  return (
    <>
      <Typography.Title level={4}>我的认领</Typography.Title>
      <Typography.Paragraph type="secondary">本单位认领的心愿及其备礼、发放、圆梦进度；备礼之前可以取消认领。</Typography.Paragraph>
      <RequestError error={list.error} />
      <div data-testid="unit-claims">
        {list.rows.map((c) => <ClaimCard key={c.id} claim={c} onChanged={list.refetch} />)}
        {!list.fetching && list.rows.length === 0 && <Typography.Text type="secondary">本单位还没有认领</Typography.Text>}
      </div>
      <Pager list={list} unit="次认领" />
    </>
  );
}

const STATES: UnitApplicationState[] = ["PENDING", "APPROVED", "REJECTED"];

/** 爱心单位审核: applications to the bodies one manages; approving makes the unit a partner unit here. */
export function UnitApplicationsPage() {
  const url = useUrlState();
  const state = (url.get("state") ?? "PENDING") as UnitApplicationState;
  const list = useConnection({ query: UnitApplicationsDocument, variables: { state }, pick: (d) => d.unitApplications });
  const [{ fetching }, decide] = useMutation(DecideUnitApplicationDocument);
  const { message } = App.useApp();
  const answer = async (id: string, approve: boolean) => {
    const result = await decide({ input: { id, approve, reason: approve ? "欢迎加入爱心单位" : "材料不全，请补充后重新申请" } });
    const error = payloadErrorMessage(result.data?.decideUnitApplication.errors) ?? requestErrorMessage(result.error);
    if (error) return message.error(error);
    message.success(approve ? "已通过，该单位成为合作单位" : "已退回申请");
    list.refetch();
  };
  return (
    <>
      <Typography.Title level={4}>爱心单位审核</Typography.Title>
      <Tabs activeKey={state} onChange={(k) => url.set({ state: k === "PENDING" ? undefined : k })}
        items={STATES.map((s) => ({ key: s, label: label("UnitApplicationState", s) }))} />
      <ConnectionTable testId="unit-applications" list={list} unit="份" emptyText="暂无申请" columns={[
        { title: "单位名称", dataIndex: "name" },
        { title: "类型", render: (_, a) => label("UnitKind", a.kind) },
        { title: "申请人", dataIndex: "applicantName" },
        { title: "申请认领", dataIndex: "organizationName" },
        { title: "状态", render: (_, a) => <Tag>{label("UnitApplicationState", a.state)}</Tag> },
        {
          title: "审核", render: (_, a) => a.state === "PENDING" ? (
            <Space wrap>
              <Button type="primary" loading={fetching} onClick={() => answer(a.id, true)}>通过</Button>
              <Popconfirm title="确定退回这份申请？" okText="退回" cancelText="取消" onConfirm={() => answer(a.id, false)}>
                <Button danger>退回</Button>
              </Popconfirm>
            </Space>
          ) : a.decidedBy || "—",
        },
      ]} />
    </>
  );
}
