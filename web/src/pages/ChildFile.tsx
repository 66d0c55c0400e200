import { useState } from "react";
import { Alert, App, Button, Card, Checkbox, Col, DatePicker, Descriptions, Empty, Form, Image, Input, List, Modal, Row, Select, Space, Spin, Table, Tabs, Tag, Timeline, Typography, Upload } from "antd";
import { UploadOutlined } from "@ant-design/icons";
import dayjs from "dayjs";
import { useMutation, useQuery } from "urql";
import { Link, useParams } from "react-router-dom";
import {
  AddChildPhotoDocument, AddGrowthEntryDocument, AnonymizeChildDocument, ChildFileDocument, CloseChildDocument, RecordConsentDocument, RecordFollowUpDocument,
  RequestTransferDocument, ShareChildDocument, UpdateChildDocument, type ChildFileQuery,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { useSession } from "../lib/session";
import { OrgSearch } from "../components/OrgSearch";
import { Pii, PiiTag, RequestError } from "../components/common";
import { NAME_MAX, TEXT_MAX, TITLE_MAX } from "../lib/limits";
import { ChildFields, fillFromIdNumber } from "./Children";
import { useUrlState } from "../lib/urlState";
import { ReferredCase, caseTabItems } from "./ChildCase";

/** A child's file: the record's tab, and the case tabs (ChildCase.tsx) for those who see case work; the tab is in
 * the URL. */
export function ChildFilePage() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ChildFileDocument, variables: { id } });
  const child = data?.child;
  const session = useSession();
  const url = useUrlState();
  if (fetching && !data) return <Spin />;
  if (!child) return <><RequestError error={error} />{session.can("cases.view_case") ? <ReferredCase childId={id} /> : <Empty description="档案不存在或无权查看" />}</>;
  const pii = child.piiVisible;
  const record = <ChildRecord child={child} onDone={() => refetch({ requestPolicy: "network-only" })} />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size="middle">
      <Typography.Title level={4} style={{ margin: 0 }}>
        <Link to="/children">儿童档案</Link> / <Pii value={child.name} piiVisible={pii} /> <PiiTag piiVisible={pii} />
      </Typography.Title>
      {session.can("cases.view_case") ? (
        <Tabs activeKey={url.get("tab") ?? "file"} onChange={(k) => url.set({ tab: k === "file" ? undefined : k }, { replace: true })}
          destroyInactiveTabPane items={[{ key: "file", label: "档案", children: record }, ...caseTabItems(child.id)]} />
      ) : record}
    </Space>
  );
}

/** The record itself: personal data (masked or clear), guardians, consent, follow-ups, growth record, photos. */
function ChildRecord({ child, onDone }: { child: FileChild; onDone: () => void }) {
  const session = useSession();
  const pii = child.piiVisible;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size="middle">
      {child.anonymized && <Alert type="info" message="该档案已匿名化，仅保留类别、组织和出生年份。" />}
      {child.status !== "ACTIVE" && <Alert type="warning" data-testid="child-closed" message={`档案已${label("ChildStatus", child.status)}${child.closedReason ? `：${child.closedReason}` : ""}`} />}
      {pii && session.can("children.change_child") && !child.anonymized && (
        <ChildActions child={child} canTransfer={session.can("children.transfer_child")} onDone={onDone} />
      )}
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
        <Descriptions.Item label="姓名"><Pii value={child.name} piiVisible={pii} /></Descriptions.Item>
        <Descriptions.Item label="性别">{label("Sex", child.sex)}</Descriptions.Item>
        <Descriptions.Item label="年龄">{child.age}</Descriptions.Item>
        <Descriptions.Item label="身份证号"><Pii value={child.idNumber} piiVisible={pii} /></Descriptions.Item>
        <Descriptions.Item label="出生日期">{child.birthDate ?? "—"}</Descriptions.Item>
        <Descriptions.Item label="状态">{label("ChildStatus", child.status)}</Descriptions.Item>
        <Descriptions.Item label="类别">{child.categories.map((c) => <Tag key={c}>{label("ChildCategory", c)}</Tag>)}</Descriptions.Item>
        <Descriptions.Item label="监护情况">{label("GuardianArrangement", child.guardianArrangement)}</Descriptions.Item>
        <Descriptions.Item label="组织">{child.organization?.name}</Descriptions.Item>
        <Descriptions.Item label="学校">{child.school} {child.grade}</Descriptions.Item>
        <Descriptions.Item label="住址"><Pii value={child.address} piiVisible={pii} /></Descriptions.Item>
        <Descriptions.Item label="父母务工地">{child.parentsWorkPlace || "—"}</Descriptions.Item>
        <Descriptions.Item label="需求">{child.needs.map((n) => <Tag key={n}>{label("ChildNeed", n)}</Tag>)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title="监护人" size="small">
            <Table size="small" rowKey={(_, i) => String(i)} pagination={false} dataSource={child.guardians}
              columns={[
                { title: "姓名", dataIndex: "name", render: (v) => <Pii value={v} piiVisible={pii} /> },
                { title: "关系", dataIndex: "relation" },
                { title: "电话", dataIndex: "phone", render: (v) => <Pii value={v} piiVisible={pii} /> },
              ]} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="监护人同意（个人信息保护法）" size="small">
            {child.consent ? (
              <Descriptions size="small" column={1}>
                <Descriptions.Item label="同意人">{child.consent.givenBy}（{child.consent.relation}）{child.consent.givenOn}</Descriptions.Item>
                <Descriptions.Item label="登记">{child.consent.registry ? "同意" : "未同意"}</Descriptions.Item>
                <Descriptions.Item label="照片">{child.consent.photos ? "同意" : "未同意"}</Descriptions.Item>
                <Descriptions.Item label="向合作单位共享">{child.consent.partnerSharing ? "同意" : "未同意"}</Descriptions.Item>
              </Descriptions>
            ) : <Empty description="未登记同意" />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="走访记录" size="small">
            {pii ? (
              <Timeline items={child.followUps.map((f) => ({ children: <><b>{f.visitedOn}</b> {label("FollowUpKind", f.kind)} · {f.author}<div>{f.note}</div></> }))} />
            ) : <Typography.Text type="secondary">无权查看走访内容</Typography.Text>}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="成长记录" size="small">
            {pii ? (
              <List size="small" dataSource={child.growthEntries} locale={{ emptyText: "暂无" }}
                renderItem={(g) => <List.Item><List.Item.Meta title={`${g.recordedOn} ${g.title}`} description={`${g.text}（${g.author}）`} /></List.Item>} />
            ) : <Typography.Text type="secondary">无权查看成长记录</Typography.Text>}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title="照片（链接 15 分钟内有效）" size="small">
            {child.photos.length ? (
              <Image.PreviewGroup>
                <Space wrap>{child.photos.map((p, i) => <Image key={i} width={120} src={p.url} alt={p.caption} />)}</Space>
              </Image.PreviewGroup>
            ) : <Typography.Text type="secondary">暂无照片</Typography.Text>}
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

type Dialog = "edit" | "close" | "followUp" | "growth" | "transfer" | "photo" | "consent" | "share" | "anonymize" | null;
type FileChild = NonNullable<ChildFileQuery["child"]>;

/** Recording a follow-up or a growth entry, adding a photo (needs the photo consent), offering a transfer. */
function ChildActions({ child, canTransfer, onDone }: { child: FileChild; canTransfer: boolean; onDone: () => void }) {
  const childId = child.id;
  const [open, setOpen] = useState<Dialog>(null);
  const [, followUp] = useMutation(RecordFollowUpDocument);
  const [, growth] = useMutation(AddGrowthEntryDocument);
  const [, transfer] = useMutation(RequestTransferDocument);
  const [, photo] = useMutation(AddChildPhotoDocument);
  const [, close] = useMutation(CloseChildDocument);
  const [, consent] = useMutation(RecordConsentDocument);
  const [, share] = useMutation(ShareChildDocument);
  const [, anonymize] = useMutation(AnonymizeChildDocument);
  const [file, setFile] = useState<File | null>(null);
  const { message } = App.useApp();
  const finish = (payload: { errors: { message: string; code: string }[] } | undefined, err: Parameters<typeof requestErrorMessage>[0], ok: string) => {
    const problem = payloadErrorMessage(payload?.errors) ?? requestErrorMessage(err);
    if (problem) return message.error(problem);
    message.success(ok);
    setOpen(null);
    onDone();
  };
  const day = (d: dayjs.Dayjs) => d.format("YYYY-MM-DD");
  return (
    <Space wrap>
      <Button type="primary" onClick={() => setOpen("edit")}>编辑档案</Button>
      <Button onClick={() => setOpen("followUp")}>记录走访</Button>
      <Button onClick={() => setOpen("growth")}>添加成长记录</Button>
      <Button onClick={() => setOpen("consent")}>登记监护人同意</Button>
      <Button onClick={() => setOpen("photo")} disabled={!child.consent?.photos} title={child.consent?.photos ? undefined : "需先登记监护人的照片同意"}>上传照片</Button>
      <Button onClick={() => setOpen("share")} disabled={!child.consent?.partnerSharing}>共享给合作单位</Button>
      {canTransfer && <Button onClick={() => setOpen("transfer")}>转出档案</Button>}
      {child.status === "ACTIVE" && <Button danger onClick={() => setOpen("close")}>结案</Button>}
      <Button danger onClick={() => setOpen("anonymize")}>匿名化</Button>
      <Modal title="登记监护人同意（个人信息保护法）" open={open === "consent"} onCancel={() => setOpen(null)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ givenOn: dayjs(), scopes: ["registry", ...(child.consent?.photos ? ["photos"] : []), ...(child.consent?.partnerSharing ? ["partnerSharing"] : [])],
          givenBy: child.guardians[0]?.name, relation: child.guardians[0]?.relation }} onFinish={async (v) => {
          const r = await consent({ input: { childId, givenBy: v.givenBy, relation: v.relation, givenOn: day(v.givenOn),
            registry: v.scopes.includes("registry"), photos: v.scopes.includes("photos"), partnerSharing: v.scopes.includes("partnerSharing") } });
          finish(r.data?.recordConsent, r.error, "已登记同意");
        }}>
          <Typography.Paragraph type="secondary">不满十四周岁儿童的个人信息须经监护人同意。新登记的同意取代此前的同意。</Typography.Paragraph>
          <Space wrap>
            <Form.Item name="givenBy" label="同意人（监护人）" rules={[{ required: true, message: "请填写同意人" }]}><Input maxLength={NAME_MAX} /></Form.Item>
            <Form.Item name="relation" label="关系" rules={[{ required: true, message: "请填写关系" }]}><Input maxLength={NAME_MAX} style={{ width: 100 }} /></Form.Item>
          </Space>
          <Form.Item name="givenOn" label="签署日期"><DatePicker disabledDate={(d) => d.isAfter(dayjs(), "day")} /></Form.Item>
          <Form.Item name="scopes" label="同意范围"><Checkbox.Group options={[{ value: "registry", label: "登记建档" }, { value: "photos", label: "拍摄和保存照片" }, { value: "partnerSharing", label: "向合作单位共享" }]} /></Form.Item>
          <Button type="primary" htmlType="submit">保存</Button>
        </Form>
      </Modal>
      <Modal title="共享给合作单位" open={open === "share"} onCancel={() => setOpen(null)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={async (v) => {
          const r = await share({ input: { childId, unitId: v.unitId, expiresAt: v.expiresAt ? v.expiresAt.endOf("day").toISOString() : null } });
          finish(r.data?.shareChild, r.error, "已共享，对方单位可查看该档案");
        }}>
          <Typography.Paragraph type="secondary">监护人已同意向合作单位共享。共享后，该单位的人员可查看这名儿童的档案（每次查看都记入审计日志）。</Typography.Paragraph>
          <Form.Item name="unitId" label="合作单位" rules={[{ required: true, message: "请选择单位" }]}><OrgSearch /></Form.Item>
          <Form.Item name="expiresAt" label="共享截止（可选）"><DatePicker disabledDate={(d) => d.isBefore(dayjs(), "day")} /></Form.Item>
          <Button type="primary" htmlType="submit">共享</Button>
        </Form>
      </Modal>
      <Modal title="匿名化档案" open={open === "anonymize"} onCancel={() => setOpen(null)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={async (v) => {
          const r = await anonymize({ input: { id: childId, reason: v.reason } });
          finish(r.data?.anonymizeChild, r.error, "已匿名化");
        }}>
          <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="匿名化不可撤销：姓名、身份证号、住址、监护人、走访和成长记录、照片都将删除，只保留类别、组织和出生年份（统计数字不变）。" />
          <Form.Item name="reason" label="原因（如监护人申请删除）" rules={[{ required: true, message: "请填写原因" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button danger type="primary" htmlType="submit">确认匿名化</Button>
        </Form>
      </Modal>
      <EditChildModal child={child} open={open === "edit"} onClose={(saved) => { setOpen(null); if (saved) onDone(); }} />
      <Modal title="结案或迁出" open={open === "close"} onCancel={() => setOpen(null)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ status: "CLOSED" }} onFinish={async (v) => {
          const r = await close({ input: { id: childId, status: v.status, reason: v.reason } });
          finish(r.data?.closeChild, r.error, "已结案");
        }}>
          <Form.Item name="status" label="结果"><Select options={enumOptions("ChildStatus").filter((o) => o.value !== "ACTIVE")} /></Form.Item>
          <Form.Item name="reason" label="原因" rules={[{ required: true, message: "请填写原因" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" danger htmlType="submit">确认结案</Button>
        </Form>
      </Modal>
      <Modal title="记录走访" open={open === "followUp"} onCancel={() => setOpen(null)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ visitedOn: dayjs(), kind: "HOME_VISIT" }} onFinish={async (v) => {
          const r = await followUp({ input: { childId, visitedOn: day(v.visitedOn), kind: v.kind, note: v.note } });
          finish(r.data?.recordFollowUp, r.error, "已记录走访");
        }}>
          <Form.Item name="visitedOn" label="日期"><DatePicker /></Form.Item>
          <Form.Item name="kind" label="方式"><Select options={enumOptions("FollowUpKind")} /></Form.Item>
          <Form.Item name="note" label="情况" rules={[{ required: true, message: "请填写走访情况" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" htmlType="submit">保存</Button>
        </Form>
      </Modal>
      <Modal title="添加成长记录" open={open === "growth"} onCancel={() => setOpen(null)} footer={null} destroyOnClose>
        <Form layout="vertical" initialValues={{ recordedOn: dayjs() }} onFinish={async (v) => {
          const r = await growth({ input: { childId, recordedOn: day(v.recordedOn), title: v.title, text: v.text } });
          finish(r.data?.addGrowthEntry, r.error, "已添加");
        }}>
          <Form.Item name="recordedOn" label="日期"><DatePicker /></Form.Item>
          <Form.Item name="title" label="标题" rules={[{ required: true, message: "请填写标题" }]}><Input maxLength={TITLE_MAX} /></Form.Item>
          <Form.Item name="text" label="内容" rules={[{ required: true, message: "请填写内容" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" htmlType="submit">保存</Button>
        </Form>
      </Modal>
      <Modal title="上传照片（去除 EXIF/GPS，需监护人照片同意）" open={open === "photo"} onCancel={() => setOpen(null)} okButtonProps={{ disabled: !file }}
        onOk={async () => { if (!file) return; const r = await photo({ childId, file }); finish(r.data?.addChildPhoto, r.error, "已上传"); }}>
        <Upload accept="image/*" maxCount={1} beforeUpload={(f) => { setFile(f); return false; }} onRemove={() => setFile(null)}>
          <Button icon={<UploadOutlined />}>选择照片</Button>
        </Upload>
      </Modal>
      <Modal title="转出档案" open={open === "transfer"} onCancel={() => setOpen(null)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={async (v) => {
          const r = await transfer({ input: { childId, toOrganizationId: v.toOrganizationId, reason: v.reason } });
          finish(r.data?.requestTransfer, r.error, "已发起转移，等待接收方处理");
        }}>
          <Form.Item name="toOrganizationId" label="接收组织" rules={[{ required: true, message: "请选择接收组织" }]}><OrgSearch /></Form.Item>
          <Form.Item name="reason" label="原因" rules={[{ required: true, message: "请填写原因" }]}><Input.TextArea maxLength={TEXT_MAX} /></Form.Item>
          <Button type="primary" htmlType="submit">发起转移</Button>
        </Form>
      </Modal>
    </Space>
  );
}

const EDITABLE = ["name", "idNumber", "sex", "birthDate", "guardianArrangement", "categories", "school", "grade", "parentsWorkPlace", "address", "guardians"] as const;

/** Editing a record: the registration form's fields with the same ID-number check; only changed fields are sent. */
function EditChildModal({ child, open, onClose }: { child: FileChild; open: boolean; onClose: (saved: boolean) => void }) {
  const [form] = Form.useForm();
  const [{ fetching }, updateChild] = useMutation(UpdateChildDocument);
  const [serverError, setServerError] = useState<string | null>(null);
  const { message } = App.useApp();
  const initial: Record<string, unknown> = {
    name: child.name, idNumber: child.idNumber, sex: child.sex, birthDate: child.birthDate, guardianArrangement: child.guardianArrangement,
    categories: child.categories, school: child.school, grade: child.grade, parentsWorkPlace: child.parentsWorkPlace, address: child.address,
    guardians: child.guardians.map((g) => ({ name: g.name, relation: g.relation, phone: g.phone })),
  };
  const submit = async (values: Record<string, unknown>) => {
    setServerError(null);
    const changed = Object.fromEntries(EDITABLE.filter((k) => JSON.stringify(values[k] ?? null) !== JSON.stringify(initial[k] ?? null)).map((k) => [k, values[k]]));
    if (typeof changed.idNumber === "string") changed.idNumber = changed.idNumber.trim().toUpperCase();
    if (!Object.keys(changed).length) return onClose(false);
    const result = await updateChild({ input: { id: child.id, ...changed } });
    const errors = result.data?.updateChild.errors ?? [];
    if (errors.length || result.error) {
      const byField = errors.filter((e) => e.field && form.getFieldInstance(e.field));
      form.setFields(byField.map((e) => ({ name: e.field!, errors: [e.message] })));
      setServerError(payloadErrorMessage(errors.filter((e) => !byField.includes(e))) ?? requestErrorMessage(result.error));
      return;
    }
    message.success("已保存");
    onClose(true);
  };
  return (
    <Modal title="编辑档案" open={open} onCancel={() => onClose(false)} onOk={() => form.submit()} confirmLoading={fetching} okText="保存" width={640} destroyOnClose>
      {serverError && <Alert type="error" showIcon message={serverError} style={{ marginBottom: 12 }} data-testid="edit-child-error" />}
      <Form form={form} layout="vertical" preserve={false} initialValues={initial} onFinish={submit} onValuesChange={(changed) => fillFromIdNumber(form, changed)}>
        <ChildFields />
      </Form>
    </Modal>
  );
}
