import { graphql } from "@/gql";

/** One page of catalog results; the Server Component loads the first page, the browser the rest. */
export const CatalogEventsDocument = graphql(`
  query CatalogEvents($filter: EventFilter, $first: Int!, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...EventCardFields
        }
      }
    }
  }
`);

export const CATALOG_PAGE_SIZE = 12;
