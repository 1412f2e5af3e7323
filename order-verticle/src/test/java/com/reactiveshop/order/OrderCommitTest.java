package com.reactiveshop.order;

import io.vertx.core.Future;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OrderCommit} writes the orders that arrive together in one statement, and each order's outcome is its own:
 * an order PostgreSQL refuses fails alone, an order whose claim was lost or whose intent the retrier took is not
 * written, the others are stored whole (lines, created event, intent removed).
 */
class OrderCommitTest {

  static OrderServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = OrderServiceFixture.withStubbedServices(); // nothing here asks the user or product service
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void ordersStoredTogetherKeepTheirOwnOutcomes() {
    Order good = order(2, 1);
    Order alsoGood = order(1);
    Order refused = order(1, 0); // quantity 0 breaks the CHECK on order_items: PostgreSQL refuses this one
    Order lostClaim = order(3);
    IdempotencyStore.Claim claim = new IdempotencyStore.Claim("commit-test-" + UUID.randomUUID(), lostClaim.id(),
        UUID.randomUUID()); // no such key in progress: the claim does not match
    for (Order o : List.of(good, alsoGood, refused, lostClaim)) {
      intent(o.id());
    }

    // Submitted together on one context: the first is written at once, the other three together in the next
    // statement, which PostgreSQL refuses as a whole because of one of them.
    List<Future<Void>> outcomes = f.onNewContext(() -> {
      OrderCommit commit = new OrderCommit(f.database);
      List<Future<Void>> all = new ArrayList<>();
      all.add(commit.store(PlacedOrder.of(good)));
      all.add(commit.store(PlacedOrder.of(refused)));
      PlacedOrder lost = PlacedOrder.of(lostClaim);
      all.add(commit.store(lost, claim, OrderRoutes.created(lost)));
      all.add(commit.store(PlacedOrder.of(alsoGood)));
      return Future.join(all).transform(done -> Future.succeededFuture(all));
    });

    assertTrue(outcomes.get(0).succeeded(), () -> String.valueOf(outcomes.get(0).cause()));
    assertInstanceOf(DatabaseException.class, outcomes.get(1).cause());
    assertInstanceOf(IdempotencyStore.ClaimLost.class, outcomes.get(2).cause());
    assertTrue(outcomes.get(3).succeeded(), () -> String.valueOf(outcomes.get(3).cause()));

    for (Order stored : List.of(good, alsoGood)) {
      assertEquals(1, count("SELECT count(*) FROM orders WHERE id = $1", stored.id()));
      assertEquals(stored.items().size(), count("SELECT count(*) FROM order_items WHERE order_id = $1", stored.id()));
      assertEquals(1, count("SELECT count(*) FROM outbox WHERE order_id = $1", stored.id()));
      assertEquals(0, count("SELECT count(*) FROM pending_releases WHERE order_id = $1", stored.id()));
    }
    for (Order notStored : List.of(refused, lostClaim)) {
      assertEquals(0, count("SELECT count(*) FROM orders WHERE id = $1", notStored.id()));
      assertEquals(0, count("SELECT count(*) FROM order_items WHERE order_id = $1", notStored.id()));
      assertEquals(0, count("SELECT count(*) FROM outbox WHERE order_id = $1", notStored.id()));
      assertEquals(1, count("SELECT count(*) FROM pending_releases WHERE order_id = $1", notStored.id()),
          "its release intent stays");
    }
    assertEquals(List.of(0, 1), positions(good.id()));
  }

  @Test
  void anOrderWhoseIntentTheRetrierTookIsNotStored() {
    Order leased = order(1);
    Order withoutIntent = order(2);
    Order good = order(1);
    intent(leased.id());
    intent(good.id());
    // What the retrier's lease does once the grace time is over: the intent is counted as attempted.
    await(f.db.preparedQuery("UPDATE pending_releases SET attempts = attempts + 1 WHERE order_id = $1")
        .execute(Tuple.of(leased.id())));

    List<Future<Void>> outcomes = f.onNewContext(() -> {
      OrderCommit commit = new OrderCommit(f.database);
      List<Future<Void>> all = List.of(commit.store(PlacedOrder.of(leased)),
          commit.store(PlacedOrder.of(withoutIntent)), commit.store(PlacedOrder.of(good)));
      return Future.join(all).transform(done -> Future.succeededFuture(all));
    });

    assertInstanceOf(OrderCommit.IntentLost.class, outcomes.get(0).cause());
    assertInstanceOf(OrderCommit.IntentLost.class, outcomes.get(1).cause());
    assertTrue(outcomes.get(2).succeeded(), () -> String.valueOf(outcomes.get(2).cause()));
    for (Order notStored : List.of(leased, withoutIntent)) {
      assertEquals(0, count("SELECT count(*) FROM orders WHERE id = $1", notStored.id()));
      assertEquals(0, count("SELECT count(*) FROM order_items WHERE order_id = $1", notStored.id()));
      assertEquals(0, count("SELECT count(*) FROM outbox WHERE order_id = $1", notStored.id()));
    }
    assertEquals(1, count("SELECT count(*) FROM pending_releases WHERE order_id = $1", leased.id()),
        "the retrier's lease is left as it is");
    assertEquals(1, count("SELECT count(*) FROM orders WHERE id = $1", good.id()));
    await(f.db.preparedQuery("DELETE FROM pending_releases WHERE order_id = $1").execute(Tuple.of(leased.id())));
  }

  /**
   * The race itself: the retrier's lease of the intent is still in its transaction when the commit arrives. The commit
   * waits for the row, reads it again once the lease is committed, and leaves that order out; the order next to it in
   * the same statement is stored.
   */
  @Test
  void aCommitWaitingForTheRetriersLeaseLeavesThatOrderOut() {
    Order first = order(1);
    Order leased = order(1);
    Order good = order(2);
    for (Order o : List.of(first, leased, good)) {
      intent(o.id());
    }
    SqlConnection retrier = await(f.db.getConnection());
    try {
      Transaction lease = await(retrier.begin());
      await(retrier.preparedQuery("UPDATE pending_releases SET attempts = attempts + 1 WHERE order_id = $1")
          .execute(Tuple.of(leased.id())));
      List<Future<Void>> outcomes = f.onNewContext(() -> {
        OrderCommit commit = new OrderCommit(f.database);
        // The first is written at once; the other two together in the next statement, which waits for the lease.
        return Future.succeededFuture(List.of(commit.store(PlacedOrder.of(first)),
            commit.store(PlacedOrder.of(good)), commit.store(PlacedOrder.of(leased))));
      });
      assertTrue(eventually(() -> f.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
          + " AND query LIKE $1", "WITH input AS%") >= 1), "the commit waits for the lease's row lock");
      await(lease.commit());
      List<Throwable> failures = outcomes.stream()
          .map(o -> await(o.transform(ar -> Future.<Throwable>succeededFuture(ar.cause())))).toList();
      assertEquals(null, failures.get(0));
      assertEquals(null, failures.get(1));
      assertInstanceOf(OrderCommit.IntentLost.class, failures.get(2));
    } finally {
      retrier.close();
    }
    assertEquals(0, count("SELECT count(*) FROM orders WHERE id = $1", leased.id()));
    assertEquals(1, count("SELECT count(*) FROM orders WHERE id = $1", good.id()));
    assertEquals(1, count("SELECT count(*) FROM pending_releases WHERE order_id = $1", leased.id()),
        "the retrier's lease is left as it is");
    await(f.db.preparedQuery("DELETE FROM pending_releases WHERE order_id = $1").execute(Tuple.of(leased.id())));
  }

  private static Order order(int... quantities) {
    List<Order.Item> items = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < quantities.length; i++) {
      items.add(new Order.Item("product-" + i, "Item " + i, quantities[i], 250));
      total += 250L * quantities[i];
    }
    Instant now = Instant.now();
    return new Order(UUID.randomUUID(), "user-1", Order.CONFIRMED, items, total, now, now);
  }

  private static void intent(UUID orderId) {
    await(f.db.preparedQuery(
        "INSERT INTO pending_releases (order_id, reason, next_attempt_at) VALUES ($1, 'test', now() + interval '1 hour')")
        .execute(Tuple.of(orderId)));
  }

  private static long count(String sql, UUID id) {
    return f.count(sql, id);
  }

  private static List<Integer> positions(UUID orderId) {
    List<Integer> positions = new ArrayList<>();
    await(f.db.preparedQuery(
            "SELECT position FROM order_items WHERE order_id = $1 ORDER BY position")
        .execute(Tuple.of(orderId))).forEach(row -> positions.add(row.getInteger(0)));
    return positions;
  }
}
