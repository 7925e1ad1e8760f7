-- The cancellation job's next batch (ordersToRefund): confirmed orders of the event that still have a
-- valid ticket. Without this index, when the statistics had not caught up with a sale (10,000 orders
-- written and cancelled within minutes), Postgres checked "has a valid ticket" by intersecting
-- ticket_order_id_idx with the whole of ticket_one_valid_per_seat for every order: each batch cost time
-- in proportion to the event's tickets, the job 35 ms of Postgres per order (docs/benchmarks.md,
-- "Cancelling a sold event"). This one answers the check from the order's own valid tickets.
CREATE INDEX ticket_valid_by_order ON ticket (order_id) WHERE status = 'VALID';
