-- The outbox relay's lease (OutboxRelay), planned as a walk of outbox_unpublished in seq order that stops at the
-- batch size, whatever the statistics say. Until autovacuum first analyzes the table (a minute or more after a new
-- database starts taking orders), the planner assumes 0.5 % of the rows are unpublished and chooses to collect and
-- sort every unpublished row for each lease: under load the backlog then grew faster than the relay drained it, and
-- each lease got slower still (84 ms at 50,000 unpublished rows, against 1.4 ms for the ordered walk).
-- $1 lease owner (a token of the run), $2 lease in ms, $3 batch size. The rows come back in no particular order.
CREATE FUNCTION outbox_lease(uuid, double precision, bigint)
  RETURNS TABLE (id uuid, subject text, payload text, seq bigint, traceparent text)
  LANGUAGE sql
  SET enable_seqscan = off
  SET enable_bitmapscan = off
AS $$
  WITH next AS (SELECT o.id FROM outbox o
                 WHERE o.published_at IS NULL AND (o.leased_until IS NULL OR o.leased_until < now())
                   AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_id = o.order_id AND p.seq < o.seq
                                     AND p.published_at IS NULL)
                 ORDER BY o.seq LIMIT $3 FOR UPDATE SKIP LOCKED)
  UPDATE outbox SET lease_owner = $1, leased_until = now() + $2 * interval '1 millisecond'
    FROM next WHERE outbox.id = next.id
  RETURNING outbox.id, outbox.subject, outbox.payload, outbox.seq, outbox.traceparent
$$;
