import { graphql } from "@/gql";

export const OrderSummaryFields = graphql(`
  fragment OrderSummaryFields on Order {
    id
    status
    createdAt
    event {
      id
      name
      startsAt
      venue {
        id
        name
        city
        timezone
      }
    }
    total {
      amount
      currency
    }
    tickets {
      id
      status
    }
  }
`);

export const OrderFields = graphql(`
  fragment OrderFields on Order {
    ...OrderSummaryFields
    cancelledAt
    cancellableUntil
    canCancel
    subtotal {
      amount
      currency
    }
    fees {
      amount
      currency
    }
    tickets {
      id
      status
      usedAt
      code
      codeExpiresAt
      price {
        amount
        currency
      }
      seat {
        id
        row
        number
        section
      }
    }
  }
`);

/** The fan's orders, newest first, a page at a time (merged by the cache's relay-style field policy). */
export const MyOrdersDocument = graphql(`
  query MyOrders($first: Int!, $after: String) {
    myOrders(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          ...OrderSummaryFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const OrderDocument = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      ...OrderFields
    }
  }
`);

export const CancelOrderDocument = graphql(`
  mutation CancelOrder($orderId: ID!) {
    cancelOrder(orderId: $orderId) {
      ...OrderFields
    }
  }
`);
