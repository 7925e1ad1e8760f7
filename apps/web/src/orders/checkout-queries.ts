import { graphql } from "@/gql";

/** What the checkout page shows about the hold's event. */
export const CheckoutEventDocument = graphql(`
  query CheckoutEvent($id: ID!) {
    event(id: $id) {
      id
      name
      startsAt
      holdSeconds
      feePerTicket {
        amount
        currency
      }
      venue {
        id
        name
        city
        timezone
      }
    }
  }
`);

export const CheckoutDocument = graphql(`
  mutation Checkout($holdId: ID!, $paymentToken: String!, $idempotencyKey: String!) {
    checkout(holdId: $holdId, paymentToken: $paymentToken, idempotencyKey: $idempotencyKey) {
      ...OrderFields
    }
  }
`);
