package com.reactiveshop.order;

import com.reactiveshop.common.async.DrainLoop;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox relay with several relays on one outbox table: every order's created event is in the stream before its
 * cancelled event, each exactly once; and the stream ORDERS carries its limits. The user and product services are
 * stubbed ({@link StubServices}): only the order service's events are looked at.
 */
class OrderOutboxTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";

  static OrderServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = OrderServiceFixture.withStubbedServices();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /**
   * Checks that every order of {@code orderIds} has exactly one created and one cancelled event in the stream, the
   * created one first.
   */
  private static void assertCreatedBeforeCancelled(Set<String> orderIds) throws Exception {
    int expected = orderIds.size() * 2;
    List<Message> events = eventually(Duration.ofSeconds(60), () -> about(orderIds), found -> found.size() >= expected);
    Map<String, List<String>> subjects = new HashMap<>();
    for (Message event : events) {
      subjects.computeIfAbsent(json(event).getString("id"), id -> new ArrayList<>()).add(event.getSubject());
    }
    assertEquals(orderIds, subjects.keySet());
    for (Map.Entry<String, List<String>> order : subjects.entrySet()) {
      assertEquals(List.of(OutboxRelay.CREATED, OutboxRelay.CANCELLED), order.getValue(),
          "events of order " + order.getKey() + " in stream order");
    }
  }

  /** The events in the stream about these orders, in stream order. */
  private static List<Message> about(Set<String> orderIds) {
    try {
      List<Message> found = new ArrayList<>();
      for (Message m : f.events()) {
        if (orderIds.contains(json(m).getString("id"))) {
          found.add(m);
        }
      }
      return found;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void ordersCreatedAndCancelledAcrossTwoInstancesHaveTheirEventsInOrder() throws Exception {
    OrderServiceFixture.OrderInstance second = f.deployAnotherOrderInstance();
    try {
      int[] ports = {f.orderPort, second.port()};
      List<Future<String>> orders = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int createOn = ports[i % 2];
        int cancelOn = ports[(i + 1) % 2];
        // Created on one instance, cancelled at once on the other: each kicks its own relay.
        orders.add(f.postOrderAsync(createOn, orderBody(USER, PEN, 1), "order-" + UUID.randomUUID())
            .compose(created -> {
              assertEquals(201, created.statusCode(), created.bodyAsString());
              String id = created.bodyAsJsonObject().getString("id");
              return f.cancelAsync(cancelOn, id).map(cancelled -> {
                assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
                return id;
              });
            }));
      }
      List<String> created = await(Future.all(orders)).list();
      Set<String> ids = new HashSet<>(created);
      assertEquals(60, ids.size());
      assertCreatedBeforeCancelled(ids);
    } finally {
      await(f.vertx.undeploy(second.deploymentId()));
    }
  }

  /** Writes, in one transaction, a created event for each order, then a cancelled event for each. */
  private static Set<String> backlog(int orders) {
    return backlog(orders, true);
  }

  /** Unpublished created events of {@code orders} new orders, and then their cancelled events if asked. */
  private static Set<String> backlog(int orders, boolean cancelled) {
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < orders; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    await(f.db.withTransaction(tx -> {
      Future<Void> chain = Future.succeededFuture();
      for (String id : ids) {
        JsonObject created = new JsonObject().put("id", id).put("status", "CONFIRMED");
        chain = chain.compose(v -> OutboxRelay.append(tx, OutboxRelay.CREATED, created));
      }
      for (String id : cancelled ? ids : Set.<String>of()) {
        JsonObject event = new JsonObject().put("id", id).put("status", "CANCELLED");
        chain = chain.compose(v -> OutboxRelay.append(tx, OutboxRelay.CANCELLED, event));
      }
      return chain;
    }));
    return ids;
  }

  private static <T> T on(Context context, Supplier<Future<T>> work) {
    return await(Future.<T>future(done -> context.runOnContext(v -> work.get().onComplete(done))));
  }

  /**
   * A backlog larger than a batch (left by a stopped relay, or grown under load): a full batch asks for the next run at
   * once, not after the coalescing window, and the run that publishes the rest goes back to waiting for kicks.
   */
  @Test
  void aFullBatchIsFollowedAtOnceAndTheRestAfterTheWindow() throws Exception {
    f.undeployOrders();
    try {
      Context context = f.vertx.getOrCreateContext();
      OutboxRelay relay = new OutboxRelay(f.vertx, context, f.database, f.bridge, 3_600_000);
      while (on(context, relay::publishBatch).leased() > 0) {
        // what earlier tests left unpublished goes first
      }
      backlog(OutboxRelay.BATCH + 10, false);

      OutboxRelay.Run first = on(context, relay::publishBatch);
      assertEquals(new OutboxRelay.Run(OutboxRelay.BATCH, OutboxRelay.BATCH), first);
      assertEquals(DrainLoop.Next.AT_ONCE, first.next());
      OutboxRelay.Run second = on(context, relay::publishBatch);
      assertEquals(new OutboxRelay.Run(10, 10), second);
      assertEquals(DrainLoop.Next.AFTER_WINDOW, second.next());
      assertEquals(DrainLoop.Next.IDLE, on(context, relay::publishBatch).next());
      assertEquals(0, f.count("SELECT count(*) FROM outbox WHERE published_at IS NULL"));
    } finally {
      f.deployOrders();
    }
  }

  /**
   * Relay A is in the middle of publishing the created events (their rows are leased to it): relay B publishes none
   * of the same orders' cancelled events, and does so once A has marked its rows published.
   */
  @Test
  void aCancelledEventWaitsWhileAnotherRelayHoldsItsCreatedEvent() throws Exception {
    f.undeployOrders();
    try {
      Set<String> ids = backlog(20);
      UUID relayA = UUID.randomUUID();
      String[] idArray = ids.toArray(String[]::new);
      await(f.db.preparedQuery("UPDATE outbox SET lease_owner = $1, leased_until = now() + interval '10 minutes'"
              + " WHERE subject = $2 AND order_id::text = ANY($3)")
          .execute(Tuple.of(relayA, OutboxRelay.CREATED, idArray)));
      Context context = f.vertx.getOrCreateContext();
      OutboxRelay relayB = new OutboxRelay(f.vertx, context, f.database, f.bridge, 3_600_000);

      assertEquals(0, on(context, relayB::publishBatch).acked(), "nothing of these orders may go out yet");
      assertTrue(about(ids).isEmpty());

      // Relay A gets its acks and marks its rows.
      for (String id : ids) {
        Headers headers = new Headers();
        String eventId = await(f.db.preparedQuery(
                "SELECT id::text FROM outbox WHERE order_id::text = $1 AND subject = $2")
            .execute(Tuple.of(id, OutboxRelay.CREATED))
            .map(rows -> rows.iterator().next().getString(0)));
        headers.put("Nats-Msg-Id", eventId);
        f.client.jetStream().publish(OutboxRelay.CREATED, headers,
            new JsonObject().put("id", id).put("status", "CONFIRMED").toBuffer().getBytes());
      }
      await(f.db.preparedQuery("UPDATE outbox SET published_at = now(), lease_owner = NULL, leased_until = NULL"
          + " WHERE lease_owner = $1").execute(Tuple.of(relayA)));

      assertEquals(20, on(context, relayB::publishBatch).acked());
      assertCreatedBeforeCancelled(ids);
    } finally {
      f.deployOrders();
    }
  }

  /**
   * Three relays kicked at once on a backlog where one batch holds created events and the next one the same orders'
   * cancelled events: every event goes out exactly once and in order per order, and the events held back go out
   * without waiting for a tick (the interval here is an hour): a relay that marked events runs again. (With every
   * relay on one NATS connection in one JVM, rows merely locked per batch would rarely invert here: the test above
   * pins the mechanism, this one the liveness under contention.)
   */
  @Test
  void threeRelaysSharingABacklogPublishEachOrdersCreatedBeforeItsCancelled() throws Exception {
    f.undeployOrders();
    Map<OutboxRelay, Context> relays = new HashMap<>();
    try {
      List<Future<Void>> started = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Context context = f.vertx.getOrCreateContext();
        // A long interval: they run when kicked (below), and again after each run that published something.
        OutboxRelay relay = new OutboxRelay(f.vertx, context, f.database, f.bridge, 3_600_000);
        relays.put(relay, context);
        started.add(Future.future(done -> context.runOnContext(v -> relay.start().onComplete(done))));
      }
      await(Future.all(started));
      Set<String> all = new HashSet<>();
      for (int round = 0; round < 2; round++) {
        Set<String> ids = backlog(100);
        all.addAll(ids);
        relays.forEach((relay, context) -> context.runOnContext(v -> relay.kick()));
        assertCreatedBeforeCancelled(ids);
      }
      assertCreatedBeforeCancelled(all);
      assertTrue(eventually(() -> f.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0));
    } finally {
      relays.forEach((relay, context) -> on(context, relay::stop));
      f.deployOrders();
    }
  }

  @Test
  void theStreamKeepsEventsAWeekWithinHalfAGibibyteAndDropsDuplicatesForFiveMinutes() throws Exception {
    StreamConfiguration config = f.client.jetStreamManagement().getStreamInfo(OutboxRelay.STREAM).getConfiguration();
    assertEquals(Duration.ofDays(7), config.getMaxAge());
    assertEquals(512L * 1024 * 1024, config.getMaxBytes());
    assertEquals(DiscardPolicy.Old, config.getDiscardPolicy());
    assertEquals(Duration.ofMinutes(5), config.getDuplicateWindow());
    assertEquals(List.of("orders.events.>"), config.getSubjects());
  }

  @Test
  void aStreamWithOtherLimitsIsUpdatedAndKeepsItsEvents() throws Exception {
    HttpResponse<Buffer> created = f.postOrder(orderBody(USER, PEN, 1));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("id");
    assertEquals(1, f.eventsFor(id, 1).size());

    f.undeployOrders();
    JetStreamManagement management = f.client.jetStreamManagement();
    StreamConfiguration before = management.getStreamInfo(OutboxRelay.STREAM).getConfiguration();
    // As an older version (or an operator) left it.
    management.updateStream(StreamConfiguration.builder(before).maxAge(Duration.ZERO).maxBytes(-1)
        .discardPolicy(DiscardPolicy.New).duplicateWindow(Duration.ofSeconds(30)).build());
    long messages = management.getStreamInfo(OutboxRelay.STREAM).getStreamState().getMsgCount();
    f.deployOrders();

    StreamInfo after = management.getStreamInfo(OutboxRelay.STREAM);
    assertTrue(OutboxRelay.hasLimits(after.getConfiguration()), after.getConfiguration().toJson());
    assertTrue(after.getStreamState().getMsgCount() >= messages, "no event was lost");
    assertEquals(1, f.currentEventsFor(id).size());
  }
}
