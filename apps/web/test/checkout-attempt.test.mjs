// Checkout errors and the idempotency key policy: a retry after an unknown outcome reuses the attempt
// (same key, same card), a definite answer starts a new one. TypeScript sources load through tsx.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { describeCheckoutError } from "../src/orders/checkout-errors.ts";
import { attemptAfterFailure, newPaymentAttempt } from "../src/orders/payment-attempt.ts";

function apiError(code, extensions = {}) {
  return new CombinedGraphQLErrors({
    errors: [{ message: `failed with ${code}`, extensions: { code, ...extensions } }],
  });
}

test("each API error code maps to what the fan can do next", () => {
  assert.equal(describeCheckoutError(apiError("UNAUTHENTICATED")).kind, "signIn");
  for (const code of ["HOLD_EXPIRED", "NOT_FOUND", "FORBIDDEN"])
    assert.equal(describeCheckoutError(apiError(code)).kind, "holdEnded", code);
  const declined = describeCheckoutError(apiError("PAYMENT_DECLINED"));
  assert.equal(declined.kind, "refused");
  assert.equal(declined.message, "failed with PAYMENT_DECLINED", "the API's own words say why");
  assert.equal(
    describeCheckoutError(apiError("PAYMENT_DECLINED", { reason: "DECLINED" })).title,
    "Your card was declined",
  );
  assert.equal(
    describeCheckoutError(apiError("PAYMENT_DECLINED", { reason: "PROVIDER_UNAVAILABLE" })).title,
    "The payment did not go through",
    "not the card's fault",
  );
  assert.equal(describeCheckoutError(apiError("BAD_USER_INPUT")).kind, "refused");
  assert.equal(describeCheckoutError(apiError("INTERNAL_SERVER_ERROR")).kind, "unconfirmed");
  const offline = describeCheckoutError(new TypeError("Failed to fetch"));
  assert.equal(offline.kind, "unconfirmed");
  assert.match(offline.message, /never be charged twice/);
});

test("an unknown outcome keeps the attempt's key and card; a definite answer drops it", () => {
  const attempt = newPaymentAttempt("tok_timeout");
  assert.match(
    attempt.idempotencyKey,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.equal(
    attemptAfterFailure(attempt, describeCheckoutError(new TypeError("Failed to fetch"))),
    attempt,
  );
  assert.equal(attemptAfterFailure(attempt, describeCheckoutError(apiError("PAYMENT_DECLINED"))), null);
  assert.equal(attemptAfterFailure(attempt, describeCheckoutError(apiError("HOLD_EXPIRED"))), null);
  assert.notEqual(newPaymentAttempt("tok_visa").idempotencyKey, attempt.idempotencyKey);
});
