-- Orders and their lines. Name and price are copied from the product at the time of the order.
CREATE TABLE orders (
  id          uuid        PRIMARY KEY,
  user_id     text        NOT NULL,
  status      text        NOT NULL CHECK (status IN ('CONFIRMED', 'CANCELLED')),
  total_cents bigint      NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  -- Insertion sequence: breaks ties between orders created in the same millisecond (newest first stays stable).
  seq         bigserial   NOT NULL
);
CREATE INDEX orders_newest ON orders (created_at DESC, seq DESC);
CREATE INDEX orders_user_newest ON orders (user_id, created_at DESC, seq DESC);

CREATE TABLE order_items (
  order_id    uuid    NOT NULL REFERENCES orders (id),
  position    integer NOT NULL,
  product_id  text    NOT NULL,
  name        text    NOT NULL,
  quantity    integer NOT NULL CHECK (quantity > 0),
  price_cents bigint  NOT NULL,
  PRIMARY KEY (order_id, position)
);

-- Idempotency-Key records. A key is claimed (in_progress) before any work, so concurrent duplicates across
-- instances find the claim; the order id chosen at claim time is reused if a stale claim is taken over, so a
-- retried reserve is the same reserve. The final answer is stored verbatim and replayed.
CREATE TABLE idempotency_keys (
  key          text        PRIMARY KEY,
  request_hash text        NOT NULL,
  state        text        NOT NULL CHECK (state IN ('in_progress', 'done')),
  order_id     uuid        NOT NULL,
  claim_token  uuid        NOT NULL,
  claimed_at   timestamptz NOT NULL,
  status       integer,
  body         text,
  location     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);

-- Transactional outbox: events are written with the change and published to JetStream after commit.
CREATE TABLE outbox (
  id           uuid        PRIMARY KEY,
  subject      text        NOT NULL,
  payload      text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  seq          bigserial   NOT NULL
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

-- Stock releases (products.release) that could not be delivered yet; retried until the product service takes them.
CREATE TABLE pending_releases (
  order_id        uuid        PRIMARY KEY,
  reason          text        NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_releases_due ON pending_releases (next_attempt_at);
