import type React from "react";
import { useEffect } from "react";
import { Button, Card, Checkbox, Empty, Grid, List, Space, Table, Typography } from "antd";
import type { ColumnType } from "antd/es/table";
import type { TableRowSelection } from "antd/es/table/interface";
import { useQuery, type AnyVariables, type CombinedError, type TypedDocumentNode } from "urql";
import { useUrlState } from "../lib/urlState";
import { RequestError } from "./common";

export const PAGE_SIZE = 20;

export type Page<T> = {
  totalCount?: number | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: { node: T }[];
};

/** A column of a ConnectionTable: antd's, plus whether a phone's card leaves it out. */
export type Column<T> = ColumnType<T> & { title: React.ReactNode; hideOnCard?: boolean };

export type Connection<T> = {
  rows: T[];
  total: number;
  fetching: boolean;
  error?: CombinedError;
  pageNumber: number;
  pages: number;
  hasNext: boolean;
  next: () => void;
  previous: () => void;
  refetch: () => void;
};

/**
 * One page of a server connection (cursors, totalCount), the page kept in the URL under `pageKey`: a reload or
 * the back button returns to it. `variables` are the query's own (filters, order); `first`/`after` are added.
 */
export function useConnection<T, Data, Variables extends AnyVariables>({
  query, variables, pick, pageKey = "p", pageSize = PAGE_SIZE, pause = false,
}: {
  query: TypedDocumentNode<Data, Variables>;
  variables: Omit<Variables, "first" | "after">;
  pick: (data: Data) => Page<T> | null | undefined;
  pageKey?: string;
  pageSize?: number;
  pause?: boolean;
}): Connection<T> {
  const url = useUrlState();
  const cursors = url.cursors(pageKey);
  const after = cursors.length ? cursors[cursors.length - 1] : null;
  const [{ data, fetching, error }, reexecute] = useQuery({
    query, variables: { ...variables, first: pageSize, after } as unknown as Variables, pause,
  });
  const page = data ? pick(data) : undefined;
  const total = page?.totalCount ?? 0;
  return {
    rows: page?.edges.map((e) => e.node) ?? [],
    total,
    fetching,
    error,
    pageNumber: cursors.length + 1,
    pages: Math.max(1, Math.ceil(total / pageSize)),
    hasNext: !!page?.pageInfo.hasNextPage && !!page.pageInfo.endCursor,
    next: () => page?.pageInfo.endCursor && url.setCursors(pageKey, [...cursors, page.pageInfo.endCursor]),
    previous: () => url.setCursors(pageKey, cursors.slice(0, -1)),
    refetch: () => reexecute({ requestPolicy: "network-only" }),
  };
}

/** 共 N 条 · 第 x / y 页, with the previous and next page. */
export function Pager({ list, unit = "条" }: { list: Connection<unknown>; unit?: string }) {
  return (
    <div style={{ display: "flex", justifyContent: "flex-end", alignItems: "center", gap: 8, flexWrap: "wrap", marginTop: 12 }} data-testid="pager">
      <Typography.Text type="secondary" data-testid="pager-total">共 {list.total} {unit} · 第 {list.pageNumber} / {list.pages} 页</Typography.Text>
      <Button size="small" disabled={list.pageNumber <= 1} onClick={list.previous}>上一页</Button>
      <Button size="small" disabled={!list.hasNext} onClick={list.next}>下一页</Button>
    </div>
  );
}

function cell<T>(column: Column<T>, row: T, index: number): React.ReactNode {
  const key = column.dataIndex as keyof T | undefined;
  const value = key !== undefined ? row[key] : undefined;
  return column.render ? (column.render(value, row, index) as React.ReactNode) : (value as React.ReactNode);
}

/**
 * The list every screen uses: a table on a desktop, cards on a phone (the first column is the card's title, the
 * others label: value), with the server's page and total underneath.
 */
export function ConnectionTable<T extends { id: string }>({
  list, columns, unit, testId, rowSelection, onRow, emptyText = "暂无数据",
}: {
  list: Connection<T>;
  columns: Column<T>[];
  unit?: string;
  testId?: string;
  rowSelection?: { selectedRowKeys: string[]; onChange: (keys: string[]) => void };
  onRow?: (row: T) => React.HTMLAttributes<HTMLElement>;
  emptyText?: string;
}) {
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  useEffect(() => {
    if (list.pageNumber > list.pages && !list.fetching && list.total > 0) list.previous();
  }, [list]);
  const selection: TableRowSelection<T> | undefined = rowSelection && {
    selectedRowKeys: rowSelection.selectedRowKeys, onChange: (keys) => rowSelection.onChange(keys as string[]),
  };
  return (
    <>
      <RequestError error={list.error} />
      {phone ? (
        <List
          data-testid={testId}
          loading={list.fetching && !list.rows.length}
          dataSource={list.rows}
          locale={{ emptyText: <Empty description={emptyText} /> }}
          renderItem={(row, index) => {
            const [first, ...rest] = columns;
            const selected = rowSelection?.selectedRowKeys.includes(row.id);
            return (
              <Card size="small" style={{ marginBottom: 8 }} data-testid="row-card" {...(onRow?.(row) ?? {})}
                title={<span style={{ whiteSpace: "normal" }}>{cell(first, row, index)}</span>}
                extra={rowSelection && (
                  <Checkbox aria-label="选择" checked={selected} onChange={(e) => rowSelection.onChange(
                    e.target.checked ? [...rowSelection.selectedRowKeys, row.id] : rowSelection.selectedRowKeys.filter((k) => k !== row.id))} />
                )}>
                <div style={{ display: "grid", gridTemplateColumns: "auto 1fr", columnGap: 12, rowGap: 4 }}>
                  {rest.filter((c) => !c.hideOnCard).map((c, i) => (
                    <Space key={i} style={{ display: "contents" }}>
                      <Typography.Text type="secondary" style={{ whiteSpace: "nowrap" }}>{c.title}</Typography.Text>
                      <div style={{ minWidth: 0, wordBreak: "break-word" }}>{cell(c, row, index) ?? "—"}</div>
                    </Space>
                  ))}
                </div>
              </Card>
            );
          }}
        />
      ) : (
        <Table<T>
          data-testid={testId}
          size="small"
          rowKey="id"
          loading={list.fetching}
          dataSource={list.rows}
          columns={columns}
          pagination={false}
          scroll={{ x: true }}
          rowSelection={selection}
          onRow={onRow}
          locale={{ emptyText }}
        />
      )}
      <Pager list={list} unit={unit} />
    </>
  );
}
