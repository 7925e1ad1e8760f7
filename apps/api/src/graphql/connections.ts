// Relay connections (docs/api.md, "Pagination"): one page of a service's list as `edges { node cursor }`,
// `pageInfo { hasNextPage endCursor }` and `totalCount`.

export interface Page<Node> {
  nodes: Node[];
  /** One opaque cursor per node. */
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export function toConnection<Node>(page: Page<Node>) {
  return {
    edges: page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] as string })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
    totalCount: page.totalCount,
  };
}
