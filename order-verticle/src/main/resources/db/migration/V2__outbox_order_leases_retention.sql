-- Outbox rows are leased by a relay (committed at once, no transaction stays open while JetStream acks) and carry
-- the order they are about, so a relay can hold back an event while an earlier one of the same order is unpublished.
ALTER TABLE outbox
  ADD COLUMN order_id     uuid,
  ADD COLUMN lease_owner  uuid,
  ADD COLUMN leased_until timestamptz;

-- Only unpublished rows take part in the ordering check; published ones need no order id. A payload whose "id" is
-- not a UUID (none is written so) keeps NULL and is published without the check.
UPDATE outbox SET order_id = (payload::jsonb ->> 'id')::uuid
 WHERE published_at IS NULL
   AND payload::jsonb ->> 'id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

-- "Is there an earlier unpublished event of this order?": one probe per candidate row.
CREATE INDEX outbox_unpublished_by_order ON outbox (order_id, seq) WHERE published_at IS NULL;

-- Retention (see OrderJanitor): published rows are found by age without scanning the table.
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Retention of Idempotency-Key records: created_at is written once, so this index never slows the completion
-- update down (it can stay a HOT update); completed_at >= created_at, so old completed keys are among old created ones.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
