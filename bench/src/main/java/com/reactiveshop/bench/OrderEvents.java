package com.reactiveshop.bench;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;

import java.io.IOException;
import java.time.Duration;

/**
 * The order events in JetStream against the orders stored: the outbox relay must publish one created event per order
 * and keep up with the order rate. A relay that falls behind shows nowhere in the HTTP answers (it once drained about
 * 1,600 events/s while orders came at 2,000/s, and its backlog grew without bound), so the kit counts the stream.
 */
final class OrderEvents {

  static final String STREAM = "ORDERS";

  /** What the stream held: its message count, and how long it took to reach the orders' count (or the limit). */
  record Count(long events, long waitedMs) {
  }

  private OrderEvents() {
  }

  /** Reads the stream's message count every 200 ms until it reaches {@code orders}, for at most {@code limit}. */
  static Count await(String natsUrl, long orders, Duration limit) throws IOException, InterruptedException,
      JetStreamApiException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    try (Connection nats = Nats.connect(natsUrl)) {
      long events = messages(nats);
      while (events < orders && System.nanoTime() < deadline) {
        Thread.sleep(200);
        events = messages(nats);
      }
      return new Count(events, (System.nanoTime() - start) / 1_000_000);
    }
  }

  private static long messages(Connection nats) throws IOException, JetStreamApiException {
    return nats.jetStreamManagement().getStreamInfo(STREAM).getStreamState().getMsgCount();
  }
}
