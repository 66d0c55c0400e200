import { useEffect, useMemo, useState } from "react";
import { Alert, Breadcrumb, Button, Card, Col, Descriptions, Empty, Form, Input, List, Modal, Row, Select, Space, Tag, Tree, Typography } from "antd";
import type { DataNode } from "antd/es/tree";
import { useClient, useMutation, useQuery } from "urql";
import { Link, useNavigate, useParams } from "react-router-dom";
import {
  ArchiveOrganizationDocument, CreateOrganizationDocument, MergeOrganizationsDocument, MoveOrganizationDocument,
  OrganizationContentsDocument, OrganizationDescendantsDocument, OrganizationDetailDocument, UpdateOrganizationDocument,
  type OrganizationDetailQuery, type OrganizationKind, type OrganizationLevel, type OrganizationSystem,
} from "../gql/graphql";
import { useSession } from "../lib/session";
import { enumOptions, label } from "../lib/labels";
import { NAME_MAX } from "../lib/limits";
import { RequestError, clickableRow, useReport } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";
import { OrgSelect } from "../components/OrgSelect";

type TreeNode = DataNode & { key: string };

const TREE_PAGE = 50;
const MORE = "more|";

function findNode(nodes: TreeNode[], key: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.key === key) return n;
    const found = n.children ? findNode(n.children as TreeNode[], key) : undefined;
    if (found) return found;
  }
  return undefined;
}

function replaceChildren(nodes: TreeNode[], key: string, children: TreeNode[]): TreeNode[] {
  return nodes.map((n) =>
    n.key === key ? { ...n, children } : n.children ? { ...n, children: replaceChildren(n.children as TreeNode[], key, children) } : n,
  );
}

/** 组织: the tree of one's scope (lazy), breadcrumbs, search within the subtree and the sub-organization list. */
export function OrganizationsPage() {
  const session = useSession();
  const client = useClient();
  const navigate = useNavigate();
  const params = useParams();
  const rootId = session.current?.organization.id;
  const selectedId = params.id ?? rootId;
  const [treeData, setTreeData] = useState<TreeNode[]>([]);
  const [search, setSearch] = useState("");

  useEffect(() => {
    const roots = session.me?.memberships.map((m) => m.organization) ?? [];
    const unique = [...new Map(roots.map((o) => [o.id, o])).values()];
    setTreeData(unique.map((o) => ({ key: o.id, title: o.name })));
  }, [session.me]);

  // A node's children come a page at a time (TREE_PAGE); a last "加载更多" node fetches the next page in place.
  const loadPage = async (parent: string, after: string | null, loaded: TreeNode[]) => {
    const result = await client.query(OrganizationDetailDocument, { id: parent, first: TREE_PAGE, after }).toPromise();
    const page = result.data?.organization?.children;
    const kids: TreeNode[] = [...loaded, ...(page?.edges.map(({ node: o }) => ({
      key: o.id, title: o.archivedAt ? `${o.name}（已归档）` : o.name, isLeaf: o.level === "VILLAGE",
    })) ?? [])];
    if (page?.pageInfo.hasNextPage && page.pageInfo.endCursor) {
      kids.push({ key: `${MORE}${parent}|${page.pageInfo.endCursor}`, title: `加载更多（已显示 ${kids.length} / ${page.totalCount}）`, isLeaf: true });
    }
    setTreeData((old) => replaceChildren(old, parent, kids));
  };
  const loadData = (node: { key: React.Key }) => loadPage(String(node.key), null, []);
  const loadMore = (key: string) => {
    const [parent, cursor] = key.slice(MORE.length).split("|");
    const siblings = (findNode(treeData, parent)?.children ?? []) as TreeNode[];
    return loadPage(parent, cursor, siblings.filter((n) => !n.key.startsWith(MORE)));
  };

  const [{ data, fetching, error }, reloadOrg] = useQuery({
    query: OrganizationDetailDocument, variables: { id: selectedId ?? "", first: 0 }, pause: !selectedId,
  });
  const children = useConnection({
    query: OrganizationDetailDocument, variables: { id: selectedId ?? "" }, pick: (d) => d.organization?.children, pause: !selectedId,
  });
  const [{ data: found, fetching: searching }] = useQuery({
    query: OrganizationDescendantsDocument,
    variables: { id: rootId ?? "", filters: { nameContains: search }, first: 20 },
    pause: !rootId || search.trim().length < 1,
  });
  const org = data?.organization;
  const crumbs = useMemo(() => (org ? [...org.ancestors, { id: org.id, name: org.name }] : []), [org]);

  if (!rootId) return <Empty description="您没有任职组织" />;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={8}>
        <Card title="组织树" size="small">
          <Input.Search placeholder="搜索下级组织名称" allowClear onSearch={setSearch} aria-label="搜索组织" style={{ marginBottom: 8 }} />
          {search ? (
            <List
              size="small"
              loading={searching}
              dataSource={found?.organization?.descendants.edges.map((e) => e.node) ?? []}
              locale={{ emptyText: "没有匹配的组织" }}
              renderItem={(o) => (
                <List.Item {...clickableRow(() => navigate(`/orgs/${o.id}`))} role="link">
                  <List.Item.Meta title={o.name} description={`${o.parent?.name ?? ""} · ${label("OrganizationLevel", o.level)}`} />
                </List.Item>
              )}
            />
          ) : (
            <Tree
              treeData={treeData}
              loadData={loadData}
              selectedKeys={selectedId ? [selectedId] : []}
              onSelect={(keys) => {
                const key = keys[0] ? String(keys[0]) : null;
                if (key?.startsWith(MORE)) loadMore(key);
                else if (key) navigate(`/orgs/${key}`);
              }}
            />
          )}
        </Card>
      </Col>
      <Col xs={24} md={16}>
        <RequestError error={error} />
        {org ? (
          <>
            <Breadcrumb
              data-testid="org-breadcrumbs"
              items={crumbs.map((c) => ({ title: <Link to={`/orgs/${c.id}`}>{c.name}</Link> }))}
              style={{ marginBottom: 12 }}
            />
            <Typography.Title level={4} data-testid="org-title">{org.name}</Typography.Title>
            {org.archivedAt && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={`已于 ${org.archivedAt.slice(0, 10)} 归档：只读`} />}
            {session.can("orgs.manage_organization") && !org.archivedAt && (
              <OrgOperations org={org} onDone={(goTo) => {
                reloadOrg({ requestPolicy: "network-only" });
                children.refetch();
                if (goTo) navigate(`/orgs/${goTo}`);
              }} />
            )}
            <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
              <Descriptions.Item label="系统">{label("OrganizationSystem", org.system)}</Descriptions.Item>
              <Descriptions.Item label="类型">{label("OrganizationKind", org.kind)}</Descriptions.Item>
              <Descriptions.Item label="层级">{label("OrganizationLevel", org.level)}</Descriptions.Item>
              <Descriptions.Item label="区划代码">{org.divisionCode || "—"}</Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5} style={{ marginTop: 16 }}>下级组织（{children.total}）</Typography.Title>
            <ConnectionTable
              list={children}
              unit="个"
              onRow={(o) => clickableRow(() => navigate(`/orgs/${o.id}`))}
              columns={[
                { title: "名称", dataIndex: "name", render: (v, o) => <>{v}{o.archivedAt && <Tag style={{ marginInlineStart: 8 }}>已归档</Tag>}</> },
                { title: "类型", dataIndex: "kind", render: (v) => label("OrganizationKind", v) },
                { title: "层级", dataIndex: "level", render: (v) => label("OrganizationLevel", v) },
                { title: "区划代码", dataIndex: "divisionCode" },
              ]}
            />
          </>
        ) : (
          !fetching && <Empty description="无权查看此组织或组织不存在" />
        )}
      </Col>
    </Row>
  );
}

type Org = NonNullable<OrganizationDetailQuery["organization"]>;
type Operation = "create" | "update" | "move" | "merge" | "archive";
type OrgFields = { name: string; shortName?: string; system: OrganizationSystem; kind: OrganizationKind; level: OrganizationLevel; divisionCode?: string };

/** What moves (or stays) with an organization: its sub-organizations and every kind of record in its subtree,
 * counted by the server (null when one does not manage the whole subtree). */
function Contents({ id, verb }: { id: string; verb: string }) {
  const [{ data, fetching }] = useQuery({ query: OrganizationContentsDocument, variables: { id }, requestPolicy: "network-only" });
  if (fetching) return <Typography.Text type="secondary">正在统计…</Typography.Text>;
  const rows = data?.organizationContents;
  if (!rows) return <Alert type="warning" showIcon message="您不管理它的全部下级，无法操作" />;
  return (
    <Alert type="info" showIcon data-testid="org-contents" message={rows.length ? `${verb}：${rows.map((r) => `${r.label} ${r.count}`).join("，")}` : `${verb}：没有下级组织和记录`} />
  );
}

/** 组织管理: create a sub-organization, edit, move, merge, archive; each confirmation says what goes with it. */
function OrgOperations({ org, onDone }: { org: Org; onDone: (goTo?: string) => void }) {
  const report = useReport();
  const [open, setOpen] = useState<Operation | null>(null);
  const [target, setTarget] = useState<string | undefined>();
  const [, create] = useMutation(CreateOrganizationDocument);
  const [, update] = useMutation(UpdateOrganizationDocument);
  const [, move] = useMutation(MoveOrganizationDocument);
  const [, merge] = useMutation(MergeOrganizationsDocument);
  const [, archive] = useMutation(ArchiveOrganizationDocument);
  const close = () => { setOpen(null); setTarget(undefined); };
  const done = (ok: boolean, goTo?: string) => { if (ok) { close(); onDone(goTo); } };
  const fields = (
    <>
      <Form.Item name="name" label="名称" rules={[{ required: true, message: "请填写名称" }]}><Input maxLength={NAME_MAX * 2} /></Form.Item>
      <Form.Item name="shortName" label="简称"><Input maxLength={NAME_MAX} /></Form.Item>
      <Space wrap>
        <Form.Item name="system" label="系统" rules={[{ required: true, message: "请选择" }]}><Select style={{ width: 120 }} options={enumOptions("OrganizationSystem")} /></Form.Item>
        <Form.Item name="kind" label="类型" rules={[{ required: true, message: "请选择" }]}><Select style={{ width: 150 }} options={enumOptions("OrganizationKind")} /></Form.Item>
        <Form.Item name="level" label="层级" rules={[{ required: true, message: "请选择" }]}><Select style={{ width: 120 }} options={enumOptions("OrganizationLevel")} /></Form.Item>
      </Space>
      <Form.Item name="divisionCode" label="行政区划代码" extra="6、9 或 12 位数字，须在上级的区域之内"><Input maxLength={12} /></Form.Item>
    </>
  );
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }} data-testid="org-operations">
        <Button type="primary" onClick={() => setOpen("create")}>新建下级组织</Button>
        <Button onClick={() => setOpen("update")}>修改</Button>
        {org.parent && <Button onClick={() => setOpen("move")}>移动</Button>}
        {org.parent && <Button onClick={() => setOpen("merge")}>合并到…</Button>}
        {org.parent && <Button danger onClick={() => setOpen("archive")}>归档</Button>}
      </Space>
      <Modal title={`在「${org.name}」下新建组织`} open={open === "create"} onCancel={close} footer={null} destroyOnClose>
        <Form<OrgFields> layout="vertical" initialValues={{ system: org.system }} onFinish={async (v) => {
          const r = await create({ input: { ...v, parentId: org.id } });
          done(report(r, r.data?.createOrganization, "已新建"), r.data?.createOrganization.organization?.id);
        }}>
          {fields}
          <Button type="primary" htmlType="submit">新建</Button>
        </Form>
      </Modal>
      <Modal title={`修改「${org.name}」`} open={open === "update"} onCancel={close} footer={null} destroyOnClose>
        <Form<OrgFields> layout="vertical" initialValues={{ name: org.name, shortName: org.shortName, system: org.system, kind: org.kind, level: org.level, divisionCode: org.divisionCode }}
          onFinish={async (v) => { const r = await update({ input: { id: org.id, ...v } }); done(report(r, r.data?.updateOrganization, "已保存")); }}>
          {fields}
          <Button type="primary" htmlType="submit">保存</Button>
        </Form>
      </Modal>
      <Modal title={`移动「${org.name}」`} open={open === "move"} onCancel={close} okText="确认移动" cancelText="取消" okButtonProps={{ disabled: !target }} destroyOnClose
        onOk={async () => { const r = await move({ input: { id: org.id, newParentId: target! } }); done(report(r, r.data?.moveOrganization, "已移动")); }}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text>新的上级组织（现为 {org.parent?.name}）</Typography.Text>
          <OrgSelect value={target} onChange={setTarget} placeholder="选择新的上级组织" style={{ width: "100%" }} />
          <Contents id={org.id} verb="随之移动" />
        </Space>
      </Modal>
      <Modal title={`合并「${org.name}」`} open={open === "merge"} onCancel={close} okText="确认合并" okButtonProps={{ danger: true, disabled: !target }} cancelText="取消" destroyOnClose
        onOk={async () => { const r = await merge({ input: { sourceId: org.id, targetId: target! } }); done(report(r, r.data?.mergeOrganizations, "已合并"), target); }}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text>并入的组织：「{org.name}」的下级组织和全部记录转入它，「{org.name}」随即归档。</Typography.Text>
          <OrgSelect value={target} onChange={setTarget} placeholder="选择保留的组织" style={{ width: "100%" }} />
          <Contents id={org.id} verb="一并转入" />
        </Space>
      </Modal>
      <Modal title={`归档「${org.name}」`} open={open === "archive"} onCancel={close} okText="确认归档" okButtonProps={{ danger: true }} cancelText="取消" destroyOnClose
        onOk={async () => { const r = await archive({ input: { id: org.id } }); done(report(r, r.data?.archiveOrganization, "已归档"), org.parent?.id); }}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text>归档后只读：不能再新增或修改记录，也不再出现在组织搜索和选择中，在上级的下级组织中标为已归档。须先移走或归档它的下级组织。</Typography.Text>
          <Contents id={org.id} verb="留在归档组织名下（只读）" />
        </Space>
      </Modal>
    </>
  );
}
