package com.reactiveshop.order;

import io.nats.client.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OrderJanitor}: rows past their retention are written straight into PostgreSQL with old timestamps, one pass
 * runs on a Vert.x context as the periodic one does, and exactly what is past retention is gone.
 */
class OrderJanitorTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";

  static OrderServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    // The orders placed here only need some answer from the user and product services: stubs give it.
    f = OrderServiceFixture.withStubbedServices();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  private static OrderJanitor.Removed janitorPass() {
    OrderJanitor janitor = new OrderJanitor(f.vertx, f.database, f.settings.idempotencyLeaseMs());
    return f.onNewContext(janitor::run);
  }

  private static long keys(String key) {
    return f.count("SELECT count(*) FROM idempotency_keys WHERE key = $1", key);
  }

  private static void age(String key, String createdAgo, String claimedAgo, String completedAgo) {
    await(f.db.preparedQuery("UPDATE idempotency_keys SET created_at = now() - $2::text::interval,"
            + " claimed_at = now() - $3::text::interval,"
            + " completed_at = CASE WHEN $4::text IS NULL THEN completed_at ELSE now() - $4::text::interval END"
            + " WHERE key = $1")
        .execute(Tuple.of(key, createdAgo, claimedAgo, completedAgo)));
  }

  private static void claim(String key, String createdAgo, String claimedAgo) {
    await(f.db.preparedQuery("INSERT INTO idempotency_keys (key, request_hash, state, order_id, claim_token,"
            + " claimed_at, created_at) VALUES ($1, 'h', 'in_progress', $2, $3, now() - $5::text::interval,"
            + " now() - $4::text::interval)")
        .execute(Tuple.of(key, UUID.randomUUID(), UUID.randomUUID(), createdAgo, claimedAgo)));
  }

  @Test
  void anAnsweredKeyGoesADayAfterItsAnswerAndThenStartsANewOrder() {
    String body = orderBody(USER, PEN, 1);
    String oldKey = "janitor-old-" + UUID.randomUUID();
    String freshKey = "janitor-fresh-" + UUID.randomUUID();
    String lateKey = "janitor-late-" + UUID.randomUUID();
    HttpResponse<Buffer> first = f.postOrder(body, oldKey);
    assertEquals(201, first.statusCode(), first.bodyAsString());
    assertEquals(201, f.postOrder(body, freshKey).statusCode());
    assertEquals(201, f.postOrder(body, lateKey).statusCode());
    age(oldKey, "25 hours", "25 hours", "25 hours");
    // Created long ago but answered only recently (a taken-over claim): its day counts from the answer.
    age(lateKey, "30 hours", "23 hours", "23 hours");

    janitorPass();

    assertEquals(0, keys(oldKey));
    assertEquals(1, keys(freshKey));
    assertEquals(1, keys(lateKey));
    HttpResponse<Buffer> again = f.postOrder(body, oldKey);
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertNull(again.getHeader("Idempotent-Replayed"), "a new order, not a replay");
    assertNotEquals(first.bodyAsJsonObject().getString("id"), again.bodyAsJsonObject().getString("id"));
    HttpResponse<Buffer> replay = f.postOrder(body, freshKey);
    assertEquals("true", replay.getHeader("Idempotent-Replayed"), "a key within its day still replays");
  }

  @Test
  void anUnfinishedClaimGoesOnlyWhenADayOldAndNobodyWorksOnIt() {
    String abandoned = "claim-abandoned-" + UUID.randomUUID();
    String takenOver = "claim-taken-over-" + UUID.randomUUID();
    String pastLease = "claim-past-lease-" + UUID.randomUUID();
    claim(abandoned, "25 hours", "25 hours");
    claim(takenOver, "25 hours", "1 second"); // a live takeover of an old claim
    claim(pastLease, "2 hours", "2 hours"); // abandoned, but within the day: the key is not reused yet

    janitorPass();

    assertEquals(0, keys(abandoned));
    assertEquals(1, keys(takenOver));
    assertEquals(1, keys(pastLease));
  }

  @Test
  void publishedEventsGoAfterAnHourAndUnpublishedOnesStayAndStillGoOut() throws Exception {
    f.undeployOrders(); // no relay: the unpublished row must still be unpublished when the janitor looks
    UUID oldPublished = UUID.randomUUID();
    UUID recentPublished = UUID.randomUUID();
    UUID oldUnpublished = UUID.randomUUID();
    String orderId = UUID.randomUUID().toString();
    JsonObject payload = new JsonObject().put("id", orderId).put("status", "CONFIRMED");
    try {
      String insert = "INSERT INTO outbox (id, subject, payload, order_id, created_at, published_at)"
          + " VALUES ($1, $2, $3, $4, now() - $5::text::interval, now() - $6::text::interval)";
      await(f.db.preparedQuery(insert).execute(Tuple.of(oldPublished, OutboxRelay.CREATED,
          new JsonObject().put("id", UUID.randomUUID().toString()).encode(), null, "3 hours", "2 hours")));
      await(f.db.preparedQuery(insert).execute(Tuple.of(recentPublished, OutboxRelay.CREATED,
          new JsonObject().put("id", UUID.randomUUID().toString()).encode(), null, "2 hours", "10 minutes")));
      await(f.db.preparedQuery("INSERT INTO outbox (id, subject, payload, order_id, created_at)"
              + " VALUES ($1, $2, $3, $4, now() - interval '2 hours')")
          .execute(Tuple.of(oldUnpublished, OutboxRelay.CREATED, payload.encode(), UUID.fromString(orderId))));

      janitorPass();

      assertEquals(0, f.count("SELECT count(*) FROM outbox WHERE id = $1", oldPublished));
      assertEquals(1, f.count("SELECT count(*) FROM outbox WHERE id = $1", recentPublished));
      assertEquals(1, f.count("SELECT count(*) FROM outbox WHERE id = $1 AND published_at IS NULL", oldUnpublished));
    } finally {
      f.deployOrders();
    }
    List<Message> events = f.eventsFor(orderId, 1);
    assertEquals(1, events.size());
    assertEquals(oldUnpublished.toString(), events.get(0).getHeaders().getFirst("Nats-Msg-Id"));
    assertEquals(payload, json(events.get(0)));
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM outbox WHERE id = $1 AND published_at IS NOT NULL",
        oldUnpublished) == 1));
  }
}
