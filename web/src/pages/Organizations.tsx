import { useEffect, useMemo, useState } from "react";
import { Breadcrumb, Card, Col, Descriptions, Empty, Input, List, Row, Tree, Typography } from "antd";
import type { DataNode } from "antd/es/tree";
import { useClient, useQuery } from "urql";
import { Link, useNavigate, useParams } from "react-router-dom";
import { OrganizationDescendantsDocument, OrganizationDetailDocument } from "../gql/graphql";
import { useSession } from "../lib/session";
import { label } from "../lib/labels";
import { RequestError, clickableRow } from "../components/common";
import { ConnectionTable, useConnection } from "../components/ConnectionTable";

type TreeNode = DataNode & { key: string };

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

  const loadData = async (node: { key: React.Key }) => {
    const result = await client.query(OrganizationDetailDocument, { id: String(node.key), first: 100 }).toPromise();
    const kids = result.data?.organization?.children.edges.map(({ node: o }) => ({
      key: o.id, title: `${o.name}`, isLeaf: o.level === "VILLAGE",
    })) ?? [];
    setTreeData((old) => replaceChildren(old, String(node.key), kids));
  };

  const [{ data, fetching, error }] = useQuery({
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
              onSelect={(keys) => keys[0] && navigate(`/orgs/${keys[0]}`)}
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
            <Typography.Title level={4}>{org.name}</Typography.Title>
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
                { title: "名称", dataIndex: "name" },
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
