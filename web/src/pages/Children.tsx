import { useState } from "react";
import { Alert, App, Button, type FormInstance, Checkbox, Col, Form, Input, InputNumber, Modal, Row, Select, Space, Tabs, Tag, Typography, Upload } from "antd";
import { PlusOutlined, UploadOutlined, DownloadOutlined, MinusCircleOutlined } from "@ant-design/icons";
import { useMutation } from "urql";
import { Link } from "react-router-dom";
import {
  ChildRosterDocument, CreateChildDocument, ExportChildrenDocument, ImportChildrenDocument,
  type ChildFilter, type CreateChildInput,
} from "../gql/graphql";
import { enumOptions, label } from "../lib/labels";
import { payloadErrorMessage, requestErrorMessage } from "../lib/client";
import { validateIdNumber } from "../lib/idNumber";
import { useSession } from "../lib/session";
import { Pii, PiiTag } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { useUrlState, numberParam } from "../lib/urlState";
import { NAME_MAX, TITLE_MAX } from "../lib/limits";
import { idNumberRule } from "../components/IdNumberInput";
import { JobProgress } from "../components/JobProgress";
import { OrgSelect } from "../components/OrgSelect";
import { TransfersPanel } from "./Transfers";

const FILTER_KEYS = ["organization", "namePrefix", "idNumber", "category", "guardianArrangement", "status", "ageMin", "ageMax"] as const;
type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string | number>>;

/** 儿童档案: the scoped roster (filters and page in the URL), masked or clear per piiVisible, registration, Excel
 * import (with the template to fill in) and export. */
export function ChildrenPage() {
  const session = useSession();
  const url = useUrlState();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [exportJob, setExportJob] = useState<string | null>(null);
  const { message } = App.useApp();
  const tab = url.get("tab") ?? "roster";

  // status: 在册 unless the URL says otherwise (ALL: every status)
  const filters: Filters = { ...Object.fromEntries(FILTER_KEYS.map((k) => [k, k.startsWith("age") ? numberParam(url.get(k)) : url.get(k)])),
    status: url.get("status") ?? "ACTIVE" };
  const filter = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== "" && v !== "ALL")) as ChildFilter;
  const list = useConnection({
    query: ChildRosterDocument, variables: { filters: filter, order: { name: "ASC" } }, pick: (d) => d.children,
  });
  const [, exportChildren] = useMutation(ExportChildrenDocument);
  const canChange = session.can("children.change_child") || session.can("children.add_child");

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>儿童档案</Typography.Title>
        <Space wrap>
          {canChange && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>登记儿童</Button>}
          {canChange && <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>Excel 导入</Button>}
          <Button
            icon={<DownloadOutlined />}
            onClick={async () => {
              const organizationId = (filter.organization as string | undefined) ?? session.current?.organization.id ?? null;
              const result = await exportChildren({ filters: filter, organizationId });
              const problem = payloadErrorMessage(result.data?.exportChildren.errors) ?? requestErrorMessage(result.error);
              if (problem) message.error(problem);
              else setExportJob(result.data!.exportChildren.job!.id);
            }}
          >
            Excel 导出
          </Button>
        </Space>
      </Space>
      <Tabs activeKey={tab} onChange={(k) => url.set({ tab: k === "roster" ? undefined : k })} items={[{ key: "roster", label: `花名册（${list.total}）`, children: (
        <>
      <Form key={JSON.stringify(filters)} layout="inline" style={{ marginBottom: 12, rowGap: 8 }} initialValues={filters}
        onFinish={(v: Filters) => url.set({ ...Object.fromEntries(FILTER_KEYS.map((k) => [k, v[k]])), status: v.status === "ACTIVE" ? undefined : v.status })}>
        <Form.Item name="organization"><OrgSelect allowClear placeholder="组织（含下级）" /></Form.Item>
        {/* Searching by a masked value needs the personal-data permission: the API finds only records shown in clear. */}
        {session.can("children.view_child_pii") && <>
          <Form.Item name="namePrefix"><Input placeholder="姓名" allowClear style={{ width: 110 }} maxLength={NAME_MAX} /></Form.Item>
          <Form.Item name="idNumber"><Input placeholder="身份证号（精确）" allowClear style={{ width: 180 }} maxLength={18} /></Form.Item>
        </>}
        <Form.Item name="category"><Select placeholder="类别" allowClear options={enumOptions("ChildCategory")} style={{ width: 120 }} /></Form.Item>
        <Form.Item name="guardianArrangement"><Select placeholder="监护情况" allowClear options={enumOptions("GuardianArrangement")} style={{ width: 150 }} /></Form.Item>
        <Form.Item name="status"><Select placeholder="状态" options={[{ value: "ALL", label: "全部状态" }, ...enumOptions("ChildStatus")]} style={{ width: 110 }} /></Form.Item>
        <Form.Item name="ageMin"><InputNumber placeholder="最小年龄" min={0} max={18} style={{ width: 100 }} /></Form.Item>
        <Form.Item name="ageMax"><InputNumber placeholder="最大年龄" min={0} max={18} style={{ width: 100 }} /></Form.Item>
        <Form.Item><Button htmlType="submit" type="primary">查询</Button></Form.Item>
      </Form>
      {exportJob && <Alert style={{ marginBottom: 12 }} message="导出任务" description={<JobProgress jobId={exportJob} resultLabel="下载台账" />} closable onClose={() => setExportJob(null)} />}
      <ConnectionTable testId="children-roster" list={list} unit="人" columns={[
          { title: "姓名", dataIndex: "name", onCell: () => ({ style: { whiteSpace: "nowrap" } }), render: (v, c) => <Link to={`/children/${c.id}`}><Pii value={v} piiVisible={c.piiVisible} /></Link> },
          { title: "性别", dataIndex: "sex", render: (v) => label("Sex", v) },
          { title: "年龄", dataIndex: "age" },
          { title: "身份证号", dataIndex: "idNumber", render: (v, c) => <Pii value={v} piiVisible={c.piiVisible} /> },
          { title: "类别", dataIndex: "categories", render: (v: string[]) => v.map((k) => <Tag key={k}>{label("ChildCategory", k)}</Tag>) },
          { title: "监护情况", dataIndex: "guardianArrangement", render: (v) => label("GuardianArrangement", v) },
          { title: "监护人电话", hideOnCard: true, render: (_, c) => c.guardians.map((g, i) => <div key={i}>{g.relation} <Pii value={g.phone} piiVisible={c.piiVisible} /></div>) },
          { title: "学校", dataIndex: "school" },
          { title: "组织", render: (_, c) => c.organization?.name },
          { title: "状态", dataIndex: "status", render: (v) => label("ChildStatus", v) },
          { title: "个人信息", hideOnCard: true, render: (_, c) => <PiiTag piiVisible={c.piiVisible} /> },
        ]} />
        </>
      ) }, { key: "transfers", label: "档案转移", children: <TransfersPanel /> }]} />
      <CreateChildModal open={creating} onClose={(saved) => { setCreating(false); if (saved) list.refetch(); }} />
      <ImportModal open={importing} onClose={() => { setImporting(false); list.refetch(); }} />
    </>
  );
}

function CreateChildModal({ open, onClose }: { open: boolean; onClose: (saved: boolean) => void }) {
  const [form] = Form.useForm();
  const session = useSession();
  const [{ fetching }, createChild] = useMutation(CreateChildDocument);
  const [serverError, setServerError] = useState<string | null>(null);
  const { message } = App.useApp();

  const submit = async (values: CreateChildInput) => {
    setServerError(null);
    const result = await createChild({ input: { ...values, idNumber: values.idNumber.trim().toUpperCase() } });
    const errors = result.data?.createChild.errors ?? [];
    if (errors.length || result.error) {
      const byField = errors.filter((e) => e.field && form.getFieldInstance(e.field));
      form.setFields(byField.map((e) => ({ name: e.field!, errors: [e.message] })));
      const rest = errors.filter((e) => !byField.includes(e));
      setServerError(payloadErrorMessage(rest) ?? requestErrorMessage(result.error));
      return;
    }
    message.success("已登记");
    form.resetFields();
    onClose(true);
  };

  return (
    <Modal title="登记儿童" open={open} onCancel={() => onClose(false)} onOk={() => form.submit()} confirmLoading={fetching} okText="保存" width={640} destroyOnClose>
      {serverError && <Alert type="error" showIcon message={serverError} style={{ marginBottom: 12 }} data-testid="create-child-error" />}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ organizationId: session.current?.organization.id, guardianArrangement: "GRANDPARENTS", categories: ["LEFT_BEHIND"], guardians: [{ name: "", relation: "祖母", phone: "" }] }}
        onValuesChange={(changed) => fillFromIdNumber(form, changed)}
      >
        <ChildFields withOrganization />
      </Form>
    </Modal>
  );
}

/** The fields of a child's record, shared by registration and editing; the ID number is checked while typing. */
export function ChildFields({ withOrganization = false }: { withOrganization?: boolean }) {
  return (
    <>
      <Row gutter={12}>
        {withOrganization && <Col xs={24} sm={12}><Form.Item name="organizationId" label="所属组织" rules={[{ required: true }]}><OrgSelect /></Form.Item></Col>}
        <Col xs={24} sm={12}><Form.Item name="name" label="姓名" rules={[{ required: true, message: "请输入姓名" }]}><Input maxLength={NAME_MAX} showCount /></Form.Item></Col>
        <Col xs={24} sm={12}>
          <Form.Item name="idNumber" label="身份证号" rules={[idNumberRule]} validateTrigger={["onChange", "onBlur"]} hasFeedback>
            <Input maxLength={18} data-testid="id-number" />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}><Form.Item name="sex" label="性别" rules={[{ required: true, message: "请选择" }]}><Select options={enumOptions("Sex")} /></Form.Item></Col>
        <Col xs={12} sm={6}><Form.Item name="birthDate" label="出生日期"><Input disabled placeholder="取自身份证号" /></Form.Item></Col>
        <Col xs={24} sm={12}><Form.Item name="guardianArrangement" label="监护情况" rules={[{ required: true }]}><Select options={enumOptions("GuardianArrangement")} /></Form.Item></Col>
        <Col xs={24} sm={12}><Form.Item name="categories" label="类别"><Checkbox.Group options={enumOptions("ChildCategory")} /></Form.Item></Col>
        <Col xs={24} sm={12}><Form.Item name="school" label="学校"><Input maxLength={TITLE_MAX} /></Form.Item></Col>
        <Col xs={24} sm={12}><Form.Item name="grade" label="年级"><Input maxLength={TITLE_MAX} /></Form.Item></Col>
        <Col xs={24} sm={12}><Form.Item name="parentsWorkPlace" label="父母务工地"><Input maxLength={TITLE_MAX} /></Form.Item></Col>
        <Col xs={24} sm={12}><Form.Item name="address" label="住址"><Input /></Form.Item></Col>
      </Row>
      <Typography.Text strong>监护人</Typography.Text>
      <Form.List name="guardians">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f) => (
              <Space key={f.key} wrap align="baseline">
                <Form.Item name={[f.name, "name"]} rules={[{ required: true, message: "姓名" }]}><Input placeholder="姓名" maxLength={NAME_MAX} /></Form.Item>
                <Form.Item name={[f.name, "relation"]} rules={[{ required: true, message: "关系" }]}><Input placeholder="关系" style={{ width: 80 }} /></Form.Item>
                <Form.Item name={[f.name, "phone"]}><Input placeholder="电话" /></Form.Item>
                <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(f.name)} aria-label="删除监护人" />
              </Space>
            ))}
            <Button type="dashed" onClick={() => add({ name: "", relation: "", phone: "" })} icon={<PlusOutlined />}>添加监护人</Button>
          </>
        )}
      </Form.List>
    </>
  );
}

/** Fills sex and birth date from a valid ID number as it is typed (antd Form onValuesChange). */
export function fillFromIdNumber(form: FormInstance, changed: { idNumber?: string }) {
  if (changed.idNumber) {
    const r = validateIdNumber(changed.idNumber);
    if (r.ok) form.setFieldsValue({ sex: r.info.sex, birthDate: r.info.birthDate });
  }
}

function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const session = useSession();
  const [organizationId, setOrganizationId] = useState<string | undefined>(session.current?.organization.id);
  const [file, setFile] = useState<File | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [{ fetching }, importChildren] = useMutation(ImportChildrenDocument);

  const start = async () => {
    if (!file || !organizationId) return;
    setProblem(null);
    const result = await importChildren({ organizationId, file });
    const err = payloadErrorMessage(result.data?.importChildren.errors) ?? requestErrorMessage(result.error);
    if (err) setProblem(err);
    else setJobId(result.data!.importChildren.job!.id);
  };

  return (
    <Modal title="Excel 导入花名册" open={open} onCancel={() => { setJobId(null); setFile(null); onClose(); }} footer={null} destroyOnClose>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Typography.Paragraph type="secondary">
          表头：姓名、性别、身份证号、出生日期、学校、年级、监护人、关系、联系电话、父母务工地、类别、监护方式。每行都会校验；导入完成后可下载错误报告（在原表中标出有误的单元格并说明原因）。重复导入同一文件不会重复登记。
        </Typography.Paragraph>
        <Button icon={<DownloadOutlined />} href="/files/children-import-template.xlsx" data-testid="import-template">下载导入模板</Button>
        <OrgSelect value={organizationId} onChange={setOrganizationId} style={{ width: "100%" }} />
        <Upload accept=".xlsx" maxCount={1} beforeUpload={(f) => { setFile(f); return false; }} onRemove={() => setFile(null)} data-testid="import-file">
          <Button icon={<UploadOutlined />}>选择 .xlsx 文件</Button>
        </Upload>
        {problem && <Alert type="error" showIcon message={problem} />}
        {jobId ? <JobProgress jobId={jobId} resultLabel="下载逐行报告" /> : (
          <Button type="primary" disabled={!file || !organizationId} loading={fetching} onClick={start}>开始导入</Button>
        )}
      </Space>
    </Modal>
  );
}
