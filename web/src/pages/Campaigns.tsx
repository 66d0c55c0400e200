import { useState } from "react";
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Empty, Form, Image, Input, Modal, Select, Space, Table, Tabs, Tag, Typography, Upload } from "antd";
import { NotificationOutlined, PlusOutlined, UploadOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { Link, useNavigate, useParams } from "react-router-dom";
import {
  ActivitiesDocument, ActivityDetailDocument, AnnounceCampaignDocument, CampaignDetailDocument, CampaignFiguresByDivisionDocument,
  CampaignPartnerOptionsDocument, CampaignsDocument, RecordActivityDocument, RespondToCampaignInvitationDocument, type CampaignDetailQuery,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { RequestError, ActionLink } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { useUrlState } from "../lib/urlState";
import { NOTICE_MAX, TEXT_MAX, TITLE_MAX } from "../lib/limits";
import { showErrors } from "./HappyHomes";
import { OrgMultiSelect, OrgSelect } from "../components/OrgSelect";

/** 行动与活动: campaigns with their notices (announcing one), and activities with photos; tab, page and the open
 * campaign in the URL. */
export function CampaignsPage() {
  const url = useUrlState();
  const tab = url.get("tab") ?? "campaigns";
  const campaigns = useConnection({ query: CampaignsDocument, variables: {}, pick: (d) => d.campaigns });
  const activities = useConnection({ query: ActivitiesDocument, variables: {}, pick: (d) => d.activities, pageKey: "p2" });
  const openId = url.get("campaign");
  const [{ data: detail }, refetchDetail] = useQuery({ query: CampaignDetailDocument, variables: { id: openId ?? "" }, pause: !openId });
  const c = detail?.campaign;
  const session = useSession();
  const [dialog, setDialog] = useState<"activity" | "campaign" | null>(null);
  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>行动与活动</Typography.Title>
        {session.can("programs.change_program") && (
          <Space wrap>
            <Button icon={<NotificationOutlined />} onClick={() => setDialog("campaign")}>发布行动通知</Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog("activity")}>记录活动</Button>
          </Space>
        )}
      </Space>
      <RecordActivityModal open={dialog === "activity"} onClose={() => setDialog(null)} campaigns={campaigns.rows} />
      <AnnounceModal open={dialog === "campaign"} onClose={(id) => { setDialog(null); campaigns.refetch(); if (id) url.set({ campaign: id, tab: undefined }); }} />
      <Tabs activeKey={tab} onChange={(k) => url.set({ tab: k === "campaigns" ? undefined : k })} items={[
        {
          key: "campaigns", label: `行动（${campaigns.total}）`,
          children: <ConnectionTable testId="campaigns" list={campaigns} unit="项" columns={[
              { title: "行动", dataIndex: "title", render: (v, r) => <ActionLink onClick={() => url.set({ campaign: r.id }, { keepPages: true })}>{v}</ActionLink> },
              { title: "发起", dataIndex: "announcerName", render: (v, r) => <>{v}{r.joint && <Tag color="blue" style={{ marginLeft: 8 }}>联合发起</Tag>}</> },
              { title: "起止", render: (_, r) => `${r.startsOn} 至 ${r.endsOn}` },
              { title: "报送截止", dataIndex: "reportDeadline", render: (v, r) => (r.reportOverdue ? <Tag color="red">{v} 已逾期</Tag> : v ?? "—") },
            ]} />,
        },
        {
          key: "activities", label: `活动（${activities.total}）`,
          children: <ConnectionTable testId="activities" list={activities} unit="次" columns={[
              { title: "活动", dataIndex: "title", render: (v, r) => <Link to={`/activities/${r.id}`}>{v}</Link> },
              { title: "类型", dataIndex: "kind", render: (v) => label("ActivityKind", v) },
              { title: "日期", dataIndex: "heldOn" },
              { title: "地点", dataIndex: "place" },
              { title: "行动", dataIndex: "campaignTitle", render: (v) => v || "—" },
              { title: "儿童", dataIndex: "childrenCount" },
              { title: "志愿者", dataIndex: "volunteersCount" },
              { title: "组织", render: (_, r) => r.organization?.name },
            ]} />,
        },
      ]} />
      <Drawer open={!!openId} onClose={() => url.set({ campaign: undefined }, { keepPages: true })} title={c?.title ?? "行动"} width={Math.min(640, window.innerWidth)}>
        {c && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="发起">{c.announcerName}</Descriptions.Item>
              {c.coAnnouncers.length > 0 && (
                <Descriptions.Item label="联合发起">
                  <Space direction="vertical" data-testid="co-announcers">
                    {c.coAnnouncers.map((a) => (
                      <Space key={a.organizationId} wrap>
                        {a.organizationName}
                        <Tag color={a.state === "ACCEPTED" ? "green" : a.state === "INVITED" ? "orange" : undefined}>{label("CoAnnouncerState", a.state)}</Tag>
                        {a.canRespond && <InvitationAnswer campaignId={c.id} organizationId={a.organizationId} onDone={() => refetchDetail({ requestPolicy: "network-only" })} />}
                      </Space>
                    ))}
                  </Space>
                </Descriptions.Item>
              )}
              <Descriptions.Item label="覆盖">{c.coveredOrganizationNames.join("、")}</Descriptions.Item>
              <Descriptions.Item label="起止">{c.startsOn} 至 {c.endsOn}</Descriptions.Item>
              <Descriptions.Item label="报送截止">{c.reportDeadline ?? "—"}</Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5}>{c.noticeTitle}</Typography.Title>
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }} data-testid="notice-text">{c.noticeText}</Typography.Paragraph>
            <Image.PreviewGroup><Space wrap>{c.attachments.map((a, i) => <Image key={i} width={140} src={a.url} alt="通知附件" />)}</Space></Image.PreviewGroup>
            {c.figures.length > 0 && <CampaignFigures campaign={c} />}
          </Space>
        )}
      </Drawer>
    </>
  );
}

type CampaignDetail = NonNullable<CampaignDetailQuery["campaign"]>;

/** A joint campaign's figures: each announcing body's (its subtree), then per division below the current
 * organization, where each wish and activity counts once across systems. */
function CampaignFigures({ campaign }: { campaign: CampaignDetail }) {
  const session = useSession();
  const at = session.current?.organization.id ?? "";
  const [{ data }] = useQuery({ query: CampaignFiguresByDivisionDocument, variables: { id: campaign.id, organizationId: at }, pause: !at });
  const columns = [
    { title: "心愿", dataIndex: "wishes" },
    { title: "已圆梦", dataIndex: "wishesFulfilled" },
    { title: "活动", dataIndex: "activities" },
  ];
  return (
    <>
      <Typography.Title level={5}>各发起组织（含下级）</Typography.Title>
      <Table size="small" pagination={false} rowKey="organizationId" data-testid="campaign-figures" dataSource={campaign.figures}
        columns={[{ title: "组织", dataIndex: "organizationName", render: (v: string, r) => <>{v}{r.coAnnouncer && <Tag style={{ marginLeft: 8 }}>联合发起</Tag>}</> }, ...columns]} />
      {!!data?.campaign?.figuresByDivision.length && (
        <>
          <Typography.Title level={5}>按区划（跨系统，每条记录只计一次）</Typography.Title>
          <Table size="small" pagination={false} rowKey="divisionCode" data-testid="campaign-division-figures" dataSource={data.campaign.figuresByDivision}
            columns={[{ title: "区划", dataIndex: "divisionCode" }, { title: "计入组织", dataIndex: "organizationNames", render: (v: string[]) => v.join("、") }, ...columns]} />
        </>
      )}
    </>
  );
}

/** A co-announcer's answer: confirm (covering the whole subtree, or the bodies chosen below it) or decline. */
function InvitationAnswer({ campaignId, organizationId, onDone }: { campaignId: string; organizationId: string; onDone: () => void }) {
  const [{ fetching }, respond] = useMutation(RespondToCampaignInvitationDocument);
  const [open, setOpen] = useState(false);
  const [covered, setCovered] = useState<string[]>([]);
  const { message } = App.useApp();
  const answer = async (accept: boolean) => {
    const result = await respond({ input: { campaignId, organizationId, accept, coveredOrganizationIds: accept ? covered : [] } });
    const problem = payloadErrorMessage(result.data?.respondToCampaignInvitation.errors ?? []) ?? requestErrorMessage(result.error);
    if (problem) return message.error(problem);
    message.success(accept ? "已确认联合发起" : "已谢绝");
    setOpen(false);
    onDone();
  };
  return (
    <>
      <Button size="small" type="primary" onClick={() => setOpen(true)}>确认联合发起</Button>
      <Button size="small" loading={fetching} onClick={() => answer(false)}>谢绝</Button>
      <Modal title="确认联合发起" open={open} onCancel={() => setOpen(false)} onOk={() => answer(true)} okText="确认" confirmLoading={fetching} destroyOnClose>
        <Typography.Paragraph>本组织将覆盖（不选则为本组织及全部下级）：</Typography.Paragraph>
        <OrgMultiSelect value={covered} onChange={setCovered} />
      </Modal>
    </>
  );
}

/** 发布行动通知: the notice (title, text, pages as images), the period, the report deadline, the bodies it covers
 * (each with its subtree; none chosen: the announcer's whole subtree) and the co-announcers (联合发起: bodies of other
 * systems in the announcer's division, each confirming and covering its own subtree). */
function AnnounceModal({ open, onClose }: { open: boolean; onClose: (id?: string) => void }) {
  const [form] = Form.useForm();
  const session = useSession();
  const [{ fetching }, announce] = useMutation(AnnounceCampaignDocument);
  const [files, setFiles] = useState<File[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const announcer: string | undefined = Form.useWatch("organizationId", form);
  const [{ data: partners }] = useQuery({ query: CampaignPartnerOptionsDocument, variables: { organizationId: announcer ?? "" }, pause: !announcer || !open });
  const partnerChoices = (partners?.campaignPartnerOptions ?? []).map((o) => ({ value: o.id, label: `${o.name}（${label("OrganizationSystem", o.system)}）` }));
  return (
    <Modal title="发布行动通知" open={open} onCancel={() => { setFiles([]); onClose(); }} onOk={() => form.submit()} okText="发布" confirmLoading={fetching} width={720} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false} initialValues={{ organizationId: session.current?.organization.id, covered: [], coAnnouncers: [] }}
        onFinish={async (v: { organizationId: string; title: string; noticeTitle: string; noticeText: string; period: [dayjs.Dayjs, dayjs.Dayjs]; reportDeadline?: dayjs.Dayjs; covered: string[]; coAnnouncers: string[] }) => {
          setProblem(null);
          const result = await announce({ input: {
            organizationId: v.organizationId, title: v.title, noticeTitle: v.noticeTitle, noticeText: v.noticeText,
            startsOn: v.period[0].format("YYYY-MM-DD"), endsOn: v.period[1].format("YYYY-MM-DD"),
            reportDeadline: v.reportDeadline ? v.reportDeadline.format("YYYY-MM-DD") : null, coveredOrganizationIds: v.covered, coAnnouncerIds: v.coAnnouncers, attachments: files,
          } });
          const failed = showErrors(form, result.data?.announceCampaign.errors ?? [], requestErrorMessage(result.error));
          if (failed || result.data?.announceCampaign.errors.length) return setProblem(failed);
          setFiles([]);
          onClose(result.data!.announceCampaign.campaign!.id);
        }}>
        <Form.Item name="organizationId" label="发起组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>
        <Form.Item name="title" label="行动名称" rules={[{ required: true, message: "请填写名称" }]}><Input maxLength={TITLE_MAX} showCount placeholder="如 关爱留守儿童暖冬行动" /></Form.Item>
        <Form.Item name="noticeTitle" label="通知标题" rules={[{ required: true, message: "请填写通知标题" }]}><Input maxLength={TITLE_MAX * 2} /></Form.Item>
        <Form.Item name="noticeText" label="通知正文" rules={[{ required: true, message: "请填写通知正文" }]}><Input.TextArea rows={6} maxLength={NOTICE_MAX} /></Form.Item>
        <Space wrap>
          <Form.Item name="period" label="活动时间" rules={[{ required: true, message: "请选择活动时间" }]}><DatePicker.RangePicker /></Form.Item>
          <Form.Item name="reportDeadline" label="报送截止"><DatePicker /></Form.Item>
        </Space>
        <Form.Item name="covered" label="发给（不选则为本组织及全部下级）"><OrgMultiSelect /></Form.Item>
        <Form.Item name="coAnnouncers" label="联合发起（同一地区其他系统的组织，各自确认后覆盖本系统下级）" help={announcer && !partnerChoices.length ? "本地区没有可联合发起的组织" : undefined}>
          <OrgMultiSelect choices={partnerChoices} placeholder="选择联合发起组织" testId="co-announcers-select" />
        </Form.Item>
        <Upload accept="image/*" multiple maxCount={9} beforeUpload={(f) => { setFiles((p) => [...p, f]); return false; }} onRemove={(f) => setFiles((p) => p.filter((x) => x.name !== f.name))}>
          <Button icon={<UploadOutlined />}>通知原件（图片，最多 9 页）</Button>
        </Upload>
      </Form>
    </Modal>
  );
}

export function ActivityDetailPage() {
  const { id = "" } = useParams();
  const [{ data, error }] = useQuery({ query: ActivityDetailDocument, variables: { id } });
  const a = data?.activity;
  if (!a) return <><RequestError error={error} /><Empty description="活动不存在或无权查看" /></>;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Title level={4}><Link to="/campaigns">行动与活动</Link> / {a.title}</Typography.Title>
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2 }}>
        <Descriptions.Item label="类型">{label("ActivityKind", a.kind)}</Descriptions.Item>
        <Descriptions.Item label="日期">{a.heldOn}</Descriptions.Item>
        <Descriptions.Item label="地点">{a.place}</Descriptions.Item>
        <Descriptions.Item label="行动">{a.campaignTitle || "—"}</Descriptions.Item>
        <Descriptions.Item label="站点">{a.siteName || "—"}</Descriptions.Item>
        <Descriptions.Item label="记录人">{a.recordedBy}</Descriptions.Item>
        <Descriptions.Item label="参加儿童">{a.children.map((c) => c.name).join("、") || "—"}</Descriptions.Item>
        <Descriptions.Item label="志愿者">{a.volunteerNames.join("、") || "—"}</Descriptions.Item>
      </Descriptions>
      <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }}>{a.narrative}</Typography.Paragraph>
      <Image.PreviewGroup><Space wrap>{a.photos.map((p, i) => <Image key={i} width={140} src={p.url} alt="活动照片" />)}</Space></Image.PreviewGroup>
    </Space>
  );
}

type Option = { id: string; name: string };

/** Recording an activity (recordActivity): at a site when opened from one, under a campaign if chosen, with the
 * children and volunteers taking part and up to 9 photos (EXIF/GPS stripped; every child named needs the photo
 * consent). Opens the new activity's page when saved. */
export function RecordActivityModal({ open, onClose, organizationId, happyHomeId, campaigns = [], children = [], volunteers = [] }: {
  open: boolean; onClose: () => void; organizationId?: string; happyHomeId?: string;
  campaigns?: { id: string; title: string }[]; children?: Option[]; volunteers?: Option[];
}) {
  const session = useSession();
  const navigate = useNavigate();
  const [{ fetching }, record] = useMutation(RecordActivityDocument);
  const [photos, setPhotos] = useState<File[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const submit = async (v: { organizationId: string; title: string; kind: string; heldOn: dayjs.Dayjs; place?: string; narrative?: string; campaignId?: string; childIds?: string[]; volunteerIds?: string[] }) => {
    setProblem(null);
    const result = await record({ input: {
      organizationId: organizationId ?? v.organizationId, title: v.title, kind: v.kind as never, heldOn: v.heldOn.format("YYYY-MM-DD"), place: v.place ?? "",
      narrative: v.narrative ?? "", campaignId: v.campaignId ?? null, happyHomeId: happyHomeId ?? null,
      childIds: v.childIds ?? [], volunteerIds: v.volunteerIds ?? [], photos,
    } });
    const errors = result.data?.recordActivity.errors ?? [];
    const byField = errors.filter((e) => e.field && form.getFieldInstance(e.field));
    form.setFields(byField.map((e) => ({ name: e.field!, errors: [e.message] })));
    const rest = payloadErrorMessage(errors.filter((e) => !byField.includes(e))) ?? requestErrorMessage(result.error);
    if (rest) setProblem(rest);
    if (errors.length || result.error) return;
    message.success("已记录活动");
    setPhotos([]);
    onClose();
    navigate(`/activities/${result.data!.recordActivity.activity!.id}`);
  };
  return (
    <Modal title="记录活动" open={open} onCancel={() => { setPhotos([]); setProblem(null); onClose(); }} onOk={() => form.submit()} okText="保存" confirmLoading={fetching} width={640} destroyOnClose>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false} onFinish={submit}
        initialValues={{ organizationId: organizationId ?? session.current?.organization.id, heldOn: dayjs(), kind: enumOptions("ActivityKind")[0]?.value }}>
        {!organizationId && <Form.Item name="organizationId" label="组织" rules={[{ required: true, message: "请选择组织" }]}><OrgSelect /></Form.Item>}
        <Form.Item name="title" label="活动名称" rules={[{ required: true, message: "请填写活动名称" }]}><Input maxLength={TITLE_MAX} /></Form.Item>
        <Space wrap>
          <Form.Item name="kind" label="类型" rules={[{ required: true }]}><Select options={enumOptions("ActivityKind")} style={{ width: 160 }} /></Form.Item>
          <Form.Item name="heldOn" label="日期" rules={[{ required: true, message: "请选择日期" }]}><DatePicker disabledDate={(d) => d.isAfter(dayjs(), "day")} /></Form.Item>
        </Space>
        <Form.Item name="place" label="地点"><Input maxLength={TITLE_MAX} /></Form.Item>
        {campaigns.length > 0 && <Form.Item name="campaignId" label="所属行动"><Select allowClear options={campaigns.map((c) => ({ value: c.id, label: c.title }))} /></Form.Item>}
        {children.length > 0 && <Form.Item name="childIds" label="参加儿童（上传照片需每名儿童的监护人照片同意）"><Select mode="multiple" allowClear options={children.map((c) => ({ value: c.id, label: c.name }))} /></Form.Item>}
        {volunteers.length > 0 && <Form.Item name="volunteerIds" label="志愿者"><Select mode="multiple" allowClear options={volunteers.map((c) => ({ value: c.id, label: c.name }))} /></Form.Item>}
        <Form.Item name="narrative" label="活动记录"><Input.TextArea rows={3} maxLength={TEXT_MAX} /></Form.Item>
        <Upload accept="image/*" multiple maxCount={9} beforeUpload={(f) => { setPhotos((p) => [...p, f]); return false; }} onRemove={(f) => setPhotos((p) => p.filter((x) => x.name !== f.name))}>
          <Button icon={<UploadOutlined />}>活动照片（最多 9 张）</Button>
        </Upload>
      </Form>
    </Modal>
  );
}
