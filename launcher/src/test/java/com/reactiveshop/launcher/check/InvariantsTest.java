package com.reactiveshop.launcher.check;

import com.reactiveshop.launcher.Redactions;
import com.reactiveshop.launcher.check.Snapshot.Event;
import com.reactiveshop.launcher.check.Snapshot.Hold;
import com.reactiveshop.launcher.check.Snapshot.IdempotencyKey;
import com.reactiveshop.launcher.check.Snapshot.Order;
import com.reactiveshop.launcher.check.Snapshot.OutboxRow;
import com.reactiveshop.launcher.check.Snapshot.Pending;
import com.reactiveshop.launcher.check.Snapshot.Product;
import com.reactiveshop.launcher.check.Snapshot.Reservation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The invariants on hand-made snapshots: each rule fires on its violation, and a settled system passes. */
class InvariantsTest {

  private static final long NOW = 1_000_000_000L;
  private static final String P = "p1";
  private static final String A = "00000000-0000-0000-0000-00000000000a";
  private static final String B = "00000000-0000-0000-0000-00000000000b";

  private final Map<String, Product> products = new HashMap<>();
  private final Map<String, Reservation> reservations = new HashMap<>();
  private final Map<String, Order> orders = new HashMap<>();
  private final Map<String, Pending> pending = new HashMap<>();
  private final List<OutboxRow> outbox = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private final List<IdempotencyKey> keys = new ArrayList<>();
  private final Set<String> after = new HashSet<>();
  private CheckOptions options = CheckOptions.defaults().withInitialStock(Map.of(P, 10L));
  private long seq;
  private Long expiredBefore;

  @BeforeEach
  void aSettledSystemWithOneOrder() {
    product(8, Map.of());
    confirmedOrder(A, 2);
  }

  private void product(long stock, Map<String, Hold> holds) {
    products.put(P, new Product(P, stock, new HashMap<>(holds), new HashSet<>()));
  }

  private void confirmedOrder(String id, long quantity) {
    reservations.put(id, new Reservation(id, "CONFIRMED", "att-" + id, Map.of(P, quantity)));
    orders.put(id, new Order(id, "CONFIRMED", false, Map.of(P, quantity), 1_000, 1_000));
    event(Invariants.CREATED, id);
    keys.add(new IdempotencyKey("key-" + id, id, id));
  }

  private void event(String subject, String id) {
    events.add(new Event(++seq, subject, id));
    outbox.add(new OutboxRow(subject, id, true, 1_000));
  }

  private CheckReport check() {
    return Invariants.evaluate(new Snapshot(NOW, products, reservations, orders, pending, outbox, events, keys, after,
        expiredBefore), options);
  }

  private static Set<String> kinds(List<CheckReport.Finding> findings) {
    Set<String> kinds = new HashSet<>();
    findings.forEach(f -> kinds.add(f.kind()));
    return kinds;
  }

  @Test
  void aSettledSystemPasses() {
    CheckReport report = check();
    assertTrue(report.settled(), report.toString());
  }

  @Test
  void aConfirmedOrderWhoseStockWentBackIsOversold() {
    reservations.put(A, new Reservation(A, "RELEASED", "att-" + A, Map.of(P, 2L)));
    product(10, Map.of());
    CheckReport report = check();
    assertTrue(kinds(report.violations()).containsAll(Set.of("confirmed_order_stock_given_back", "units_disagree",
        "stock_ledger")), report.toString());
  }

  @Test
  void aConfirmedOrderWithoutAnyReservationIsOversold() {
    reservations.remove(A);
    product(10, Map.of());
    assertTrue(kinds(check().violations()).contains("confirmed_order_without_reservation"));
  }

  @Test
  void aReservationWithoutOrderIsInProgressWhileItsReleaseIsNotDueThenAViolation() {
    reservations.put(B, new Reservation(B, "CONFIRMED", "att-b", Map.of(P, 3L)));
    product(5, Map.of());
    pending.put(B, new Pending(B, "order in progress", 2_000, -10_000, 0, null));
    CheckReport inProgress = check();
    assertTrue(inProgress.ok(), inProgress.toString());
    assertEquals(Set.of("reservation_awaiting_commit_or_release", "stock_in_flight"), kinds(inProgress.transients()));

    pending.put(B, new Pending(B, "order in progress", 60_000, 30_000, 5, "timeout"));
    CheckReport overdue = check();
    assertTrue(kinds(overdue.violations()).containsAll(Set.of("reservation_without_order", "units_disagree",
        "stock_ledger")), overdue.toString());

    pending.remove(B);
    assertTrue(kinds(check().violations()).contains("reservation_without_order"));
  }

  @Test
  void aHoldIsInFlightWithinTheGraceThenStale() {
    product(7, Map.of("x", new Hold("x", B, 1, NOW - 1_000)));
    CheckReport young = check();
    assertTrue(young.ok(), young.toString());
    assertEquals(Set.of("hold_in_flight", "stock_in_flight"), kinds(young.transients()));

    product(7, Map.of("x", new Hold("x", B, 1, NOW - 60_000)));
    assertTrue(kinds(check().violations()).containsAll(Set.of("stale_hold", "stock_ledger")));
  }

  @Test
  void theHoldOfAConfirmedAttemptIsNotCountedTwice() {
    product(8, Map.of("att-" + A, new Hold("att-" + A, A, 2, NOW - 100)));
    CheckReport report = check();
    assertTrue(report.ok(), report.toString());
    assertEquals(Set.of("hold_in_flight"), kinds(report.transients()));
  }

  @Test
  void negativeStockIsAViolation() {
    product(-1, Map.of());
    assertTrue(kinds(check().violations()).contains("negative_stock"));
  }

  @Test
  void eventsMustBeExactlyOneCreatedAndOneCancelledAfterIt() {
    events.add(new Event(++seq, Invariants.CREATED, A));
    assertTrue(kinds(check().violations()).contains("duplicate_created_event"));

    events.clear();
    CheckReport lost = check();
    assertTrue(kinds(lost.violations()).contains("missing_created_event"));
    assertTrue(lost.violations().get(0).message().contains("lost"), lost.toString());

    outbox.clear();
    outbox.add(new OutboxRow(Invariants.CREATED, A, false, 500));
    assertEquals(Set.of("created_event_on_its_way"), kinds(check().transients()));

    events.add(new Event(++seq, Invariants.CANCELLED, A));
    events.add(new Event(++seq, Invariants.CREATED, A));
    orders.put(A, new Order(A, "CANCELLED", false, Map.of(P, 2L), 1_000, 2_000));
    reservations.put(A, new Reservation(A, "RELEASED", "att-" + A, Map.of(P, 2L)));
    product(10, Map.of());
    assertEquals(Set.of("cancelled_before_created"), kinds(check().violations()));

    events.add(new Event(++seq, Invariants.CREATED, B));
    assertTrue(kinds(check().violations()).contains("event_for_unknown_order"));
    after.add(B);
    assertFalse(kinds(check().violations()).contains("event_for_unknown_order"));
  }

  @Test
  void eventsOlderThanWhatTheStreamStillHoldsMayBeGone() {
    events.clear();
    expiredBefore = 500L;
    assertTrue(kinds(check().violations()).contains("missing_created_event"), "the order is newer than the stream");
    expiredBefore = 5_000L;
    CheckReport report = check();
    assertTrue(report.settled(), report.toString());
    assertEquals(1, report.counts().get("eventsExpiredByStreamLimits"));
  }

  @Test
  void aCancelledOrderMustGiveItsStockBackOnceTheReleaseIsDue() {
    orders.put(A, new Order(A, "CANCELLED", false, Map.of(P, 2L), 1_000, 2_000));
    event(Invariants.CANCELLED, A);
    pending.put(A, new Pending(A, "order cancelled", 100, -900, 0, null));
    CheckReport releasing = check();
    assertTrue(releasing.ok(), releasing.toString());
    pending.put(A, new Pending(A, "order cancelled", 90_000, 80_000, 9, "no responders"));
    assertTrue(kinds(check().violations()).contains("cancelled_order_still_holds_stock"));
  }

  @Test
  void keysNameExistingOrdersOnceEach() {
    keys.add(new IdempotencyKey("other", A, A));
    assertEquals(Set.of("order_named_by_two_keys"), kinds(check().violations()));
    keys.clear();
    keys.add(new IdempotencyKey("k", B, B));
    assertTrue(kinds(check().violations()).contains("key_names_missing_order"));
  }

  @Test
  void acknowledgedOrdersMustExistWithTheirStatus() {
    options = options.withAcknowledged(Map.of(A, "CANCELLED", B, "CONFIRMED"));
    assertEquals(Set.of("acknowledged_status_lost", "acknowledged_order_missing"), kinds(check().violations()));
  }

  @Test
  void passwordsAreRedacted() {
    assertEquals("postgresql://postgres:***@127.0.0.1:5432/order-service",
        Redactions.uri("postgresql://postgres:secret@127.0.0.1:5432/order-service"));
    assertEquals("failed: mongodb://u:***@h:1", Redactions.uri("failed: mongodb://u:p@ss@h:1"));
    assertEquals("nats://127.0.0.1:4222", Redactions.uri("nats://127.0.0.1:4222"));
  }
}
