import { App, Button, Card, Image, Popconfirm, Space, Steps, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { useMutation } from "urql";
import { CancelClaimDocument, type DonorClaimRowFragment } from "../gql/graphql";
import { label } from "../lib/labels";
import { money } from "../lib/figures";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";

const STEP_TITLES: Record<string, string> = { CLAIMED: "认领完成", PREPARED: "备礼", DELIVERED: "发放", FULFILLED: "圆梦" };

/** One claim (a donor's own or a unit's) and the wish's progress: 认领完成 → 备礼 → 发放 → 圆梦, the organization's
 * thank-you and the delivery photos (only where the guardian consented: the server leaves them out otherwise). */
export function ClaimCard({ claim, onChanged }: { claim: DonorClaimRowFragment; onChanged: () => void }) {
  const [{ fetching }, cancel] = useMutation(CancelClaimDocument);
  const { message } = App.useApp();
  const current = claim.progress.filter((s) => s.done).length;
  const undo = async () => {
    const result = await cancel({ input: { id: claim.id } });
    const problem = payloadErrorMessage(result.data?.cancelClaim.errors) ?? requestErrorMessage(result.error);
    if (problem) return message.error(problem);
    message.success("已取消认领，心愿回到心愿墙");
    onChanged();
  };
  return (
    <Card size="small" style={{ marginBottom: 12 }} data-testid="claim-card"
      title={<span style={{ whiteSpace: "normal" }}>{claim.wishTitle}</span>}
      extra={<Tag color={claim.wishState === "FULFILLED" ? "green" : "red"}>{label("WishState", claim.wishState)}</Tag>}>
      <Space direction="vertical" style={{ width: "100%" }} size={8}>
        <Typography.Text type="secondary">{claim.place} · {label("WishCategory", claim.category)}</Typography.Text>
        <Typography.Text>
          {claim.donorKind === "UNIT" ? `${claim.donorLabel}认领` : "我认领了"} <b>{money(claim.amount)}</b> 元
          （心愿共 {money(claim.estimatedValue)} 元{Number(claim.remaining) > 0 ? `，还差 ${money(claim.remaining)} 元` : "，已全部认领"}）
        </Typography.Text>
        <Typography.Text type="secondary">认领时间：{dayjs(claim.createdAt).format("YYYY-MM-DD HH:mm")}</Typography.Text>
        <Steps size="small" direction="vertical" current={current} data-testid="claim-progress"
          items={claim.progress.map((s) => ({
            title: STEP_TITLES[s.state] ?? label("WishState", s.state),
            status: s.done ? "finish" : "wait",
            description: s.at ? dayjs(s.at).format("YYYY-MM-DD") : undefined,
          }))} />
        {claim.thanks && (
          <Card size="small" style={{ background: "#fff7f7" }} data-testid="claim-thanks">
            <Typography.Text>感谢语：{claim.thanks}</Typography.Text>
          </Card>
        )}
        {claim.photos.length > 0 && (
          <Image.PreviewGroup>
            <Space wrap>{claim.photos.map((p, i) => <Image key={i} width={96} src={p.url} alt="发放现场照片" />)}</Space>
          </Image.PreviewGroup>
        )}
        {claim.cancellable && (
          <Popconfirm title="确定取消这次认领？心愿将回到心愿墙。" okText="取消认领" cancelText="再想想" onConfirm={undo}>
            <Button danger loading={fetching}>取消认领</Button>
          </Popconfirm>
        )}
      </Space>
    </Card>
  );
}
