-- The W3C traceparent of the request that wrote an event (NULL when it was not traced): the relay publishes the
-- event in that trace and passes the context on in the message's traceparent header.
ALTER TABLE outbox ADD COLUMN traceparent text;
