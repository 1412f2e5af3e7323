package com.reactiveshop.launcher.check;

import com.reactiveshop.launcher.check.Snapshot.Event;
import com.reactiveshop.launcher.check.Snapshot.Hold;
import com.reactiveshop.launcher.check.Snapshot.IdempotencyKey;
import com.reactiveshop.launcher.check.Snapshot.Order;
import com.reactiveshop.launcher.check.Snapshot.OutboxRow;
import com.reactiveshop.launcher.check.Snapshot.Pending;
import com.reactiveshop.launcher.check.Snapshot.Product;
import com.reactiveshop.launcher.check.Snapshot.Reservation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The crash-proof invariants, evaluated on a {@link Snapshot} (a pure function: no I/O). See RELIABILITY.md.
 * <ol>
 *   <li>Stock: no product below zero; per product, units held by CONFIRMED reservation records (product side) equal
 *   units in CONFIRMED orders (order side); with the initial stock known, initial = stock + units in CONFIRMED
 *   orders.</li>
 *   <li>Nothing stays taken for an order that was not confirmed: a CONFIRMED reservation without a CONFIRMED order
 *   must have a {@code pending_releases} row that is not overdue; no hold outlives the sweeper's grace; no release
 *   stays pending past its bound.</li>
 *   <li>Events: every CONFIRMED order has exactly one {@code orders.events.created} in the stream, every CANCELLED
 *   one a created and then one {@code orders.events.cancelled}; no event names an order that does not exist.</li>
 *   <li>Idempotency-Keys: a key that answered 201 names an order that exists (the one it claimed), and no order is
 *   named by two keys.</li>
 *   <li>Acknowledged orders (when the caller knows them): each exists, with the status the client was told.</li>
 * </ol>
 * What is on its way (within its bound) is reported as transient, not as a violation.
 */
public final class Invariants {

  static final String CREATED = "orders.events.created";
  static final String CANCELLED = "orders.events.cancelled";

  private final Snapshot s;
  private final CheckOptions o;
  private final CheckReport r = new CheckReport();
  /** Order ids whose CONFIRMED reservation legitimately has no CONFIRMED order yet (work in progress). */
  private final Set<String> inProgress = new HashSet<>();
  private final Set<String> pendingReported = new HashSet<>();
  /** Events not found for orders older than the stream's oldest message, when the stream has dropped some. */
  private int expired;

  private Invariants(Snapshot snapshot, CheckOptions options) {
    this.s = snapshot;
    this.o = options;
  }

  public static CheckReport evaluate(Snapshot snapshot, CheckOptions options) {
    return new Invariants(snapshot, options).run();
  }

  private CheckReport run() {
    counts();
    products();
    ordersAgainstReservations();
    reservationsWithoutOrders();
    overdueReleases();
    unitsPerProduct();
    events();
    idempotencyKeys();
    acknowledged();
    if (expired > 0) {
      r.count("eventsExpiredByStreamLimits", expired);
    }
    return r;
  }

  private void counts() {
    long confirmed = s.orders().values().stream().filter(Order::confirmed).count();
    long cancelled = s.orders().values().stream().filter(Order::cancelled).count();
    r.count("products", s.products().size());
    r.count("orders", s.orders().size());
    r.count("confirmed", confirmed);
    r.count("cancelled", cancelled);
    r.count("reservations", s.reservations().size());
    r.count("pendingReleases", s.pending().size());
    r.count("events", s.events() == null ? "not-read" : s.events().size());
    r.count("keys201", s.keys().size());
    if (!o.acknowledged().isEmpty()) {
      r.count("acknowledged", o.acknowledged().size());
    }
  }

  // ---- 1, 2: stock, holds ----

  private void products() {
    for (Product product : s.products().values()) {
      if (product.stock() < 0) {
        r.violation("negative_stock", product.id(), "stock is " + product.stock());
      }
      for (Hold hold : product.holds().values()) {
        long age = s.productsReadAtMillis() - hold.atMillis();
        String what = hold.quantity() + " unit(s) held by attempt " + hold.attempt() + " for order " + hold.orderId()
            + " for " + age + " ms";
        if (age > o.holdGraceMs()) {
          r.violation("stale_hold", product.id(), what + " (more than " + o.holdGraceMs() + " ms: the sweeper should"
              + " have settled or given it back)");
        } else {
          r.transientState("hold_in_flight", product.id(), what);
        }
      }
    }
  }

  private boolean overdue(Pending pending) {
    return pending.lateMs() > o.pendingLateMs() || pending.ageMs() > o.pendingMaxAgeMs();
  }

  private static String describe(Pending p) {
    return "pending release '" + p.reason() + "' written " + p.ageMs() + " ms ago, " + (p.lateMs() >= 0
        ? p.lateMs() + " ms past due" : "due in " + -p.lateMs() + " ms") + ", " + p.attempts() + " attempt(s)"
        + (p.lastError() == null ? "" : ", last error: " + p.lastError());
  }

  private boolean late(String orderId) {
    Order order = s.orders().get(orderId);
    return (order != null && order.late()) || s.ordersAfterSnapshot().contains(orderId);
  }

  private void ordersAgainstReservations() {
    for (Order order : s.orders().values()) {
      if (order.late()) {
        continue;
      }
      Reservation res = s.reservations().get(order.id());
      Pending pending = s.pending().get(order.id());
      if (order.confirmed()) {
        if (res == null) {
          r.violation("confirmed_order_without_reservation", order.id(), "order is CONFIRMED with " + order.items()
              + " but the product service has no reservation record for it: its units were never taken (oversold)");
        } else if (!res.confirmed()) {
          r.violation("confirmed_order_stock_given_back", order.id(), "order is CONFIRMED with " + order.items()
              + " but its reservation is " + res.status() + ": its units went back to stock (oversold)");
        } else {
          if (!res.items().equals(order.items())) {
            r.violation("items_disagree", order.id(), "CONFIRMED order has " + order.items()
                + ", its reservation holds " + res.items());
          }
          for (String productId : res.items().keySet()) {
            Product product = s.products().get(productId);
            if (product != null && product.freedAttempts().contains(res.attempt())) {
              r.violation("confirmed_order_stock_given_back", order.id(), "order is CONFIRMED but product "
                  + productId + " has given back the units of its reservation (freed." + res.attempt() + ")");
            }
          }
        }
      } else if (order.cancelled() && res != null && res.confirmed()) {
        if (pending != null && !overdue(pending)) {
          inProgress.add(order.id());
          r.transientState("cancel_release_pending", order.id(), "CANCELLED order still holds " + res.items()
              + "; " + describe(pending));
        } else {
          r.violation("cancelled_order_still_holds_stock", order.id(), "CANCELLED order still holds "
              + res.items() + "; " + (pending == null ? "no release is pending" : describe(pending)));
        }
        if (pending != null) {
          pendingReported.add(order.id());
        }
      }
    }
  }

  private void reservationsWithoutOrders() {
    for (Reservation res : s.reservations().values()) {
      if (!res.confirmed() || s.orders().containsKey(res.orderId())) {
        if (res.confirmed() && late(res.orderId())) {
          inProgress.add(res.orderId());
        }
        continue;
      }
      if (s.ordersAfterSnapshot().contains(res.orderId())) {
        inProgress.add(res.orderId());
        continue;
      }
      Pending pending = s.pending().get(res.orderId());
      if (pending != null) {
        pendingReported.add(res.orderId());
      }
      if (pending != null && !overdue(pending)) {
        inProgress.add(res.orderId());
        r.transientState("reservation_awaiting_commit_or_release", res.orderId(), res.items()
            + " held for an order not stored (yet); " + describe(pending));
      } else {
        r.violation("reservation_without_order", res.orderId(), res.items() + " held by a CONFIRMED reservation"
            + " for an order that does not exist; " + (pending == null ? "no release is pending"
            : describe(pending)));
      }
    }
  }

  private void overdueReleases() {
    for (Pending pending : s.pending().values()) {
      if (pendingReported.contains(pending.orderId())) {
        continue;
      }
      if (overdue(pending)) {
        r.violation("release_overdue", pending.orderId(), describe(pending));
      } else {
        r.transientState("release_pending", pending.orderId(), describe(pending));
      }
    }
  }

  private void unitsPerProduct() {
    Map<String, Long> held = new TreeMap<>();
    Map<String, Long> heldInProgress = new TreeMap<>();
    Map<String, Long> ordered = new TreeMap<>();
    Map<String, Set<String>> orderIdsByProduct = new HashMap<>();
    Map<String, Long> orphanHolds = new TreeMap<>();
    Map<String, Long> orphanInGrace = new TreeMap<>();
    for (Reservation res : s.reservations().values()) {
      if (!res.confirmed()) {
        continue;
      }
      res.items().forEach((productId, quantity) -> {
        Product product = s.products().get(productId);
        if (product != null && product.freedAttempts().contains(res.attempt())) {
          return; // its units are back already; the record is marked RELEASED next
        }
        held.merge(productId, quantity, Long::sum);
        if (inProgress.contains(res.orderId())) {
          heldInProgress.merge(productId, quantity, Long::sum);
        }
        orderIdsByProduct.computeIfAbsent(productId, k -> new TreeSet<>()).add(res.orderId());
      });
    }
    for (Order order : s.orders().values()) {
      if (order.confirmed() && !order.late()) {
        order.items().forEach((productId, quantity) -> {
          ordered.merge(productId, quantity, Long::sum);
          orderIdsByProduct.computeIfAbsent(productId, k -> new TreeSet<>()).add(order.id());
        });
      }
    }
    for (Product product : s.products().values()) {
      for (Hold hold : product.holds().values()) {
        Reservation res = s.reservations().get(hold.orderId());
        boolean recorded = res != null && res.confirmed() && hold.attempt().equals(res.attempt());
        if (!recorded) {
          orphanHolds.merge(product.id(), hold.quantity(), Long::sum);
          if (s.productsReadAtMillis() - hold.atMillis() <= o.holdGraceMs()) {
            orphanInGrace.merge(product.id(), hold.quantity(), Long::sum);
          }
        }
      }
    }
    Set<String> productIds = new TreeSet<>(held.keySet());
    productIds.addAll(ordered.keySet());
    for (String productId : productIds) {
      long h = held.getOrDefault(productId, 0L);
      long p = heldInProgress.getOrDefault(productId, 0L);
      long d = ordered.getOrDefault(productId, 0L);
      if (h - p != d) {
        r.violation("units_disagree", productId, "units held by CONFIRMED reservations " + h + " (" + p
            + " of them for orders in progress) but units in CONFIRMED orders " + d + "; see the per-order"
            + " findings for these orders");
      }
    }
    for (Map.Entry<String, Long> entry : new TreeMap<>(o.initialStock()).entrySet()) {
      String productId = entry.getKey();
      long initial = entry.getValue();
      Product product = s.products().get(productId);
      if (product == null) {
        r.violation("product_missing", productId, "initial stock " + initial + " was given but the product is gone");
        continue;
      }
      long taken = initial - product.stock();
      long inOrders = ordered.getOrDefault(productId, 0L);
      if (taken == inOrders) {
        continue;
      }
      long productSide = held.getOrDefault(productId, 0L) + orphanHolds.getOrDefault(productId, 0L);
      long transientUnits = heldInProgress.getOrDefault(productId, 0L) + orphanInGrace.getOrDefault(productId, 0L);
      String numbers = "initial " + initial + ", stock " + product.stock() + " (so " + taken + " taken), units in"
          + " CONFIRMED orders " + inOrders + "; product side: CONFIRMED reservations "
          + held.getOrDefault(productId, 0L) + " + holds without a record " + orphanHolds.getOrDefault(productId, 0L);
      if (taken == productSide && productSide - transientUnits == inOrders) {
        r.transientState("stock_in_flight", productId, numbers);
      } else {
        r.violation("stock_ledger", productId, "initial != stock + units in CONFIRMED orders: " + numbers
            + " (difference " + (taken - inOrders) + ")");
      }
    }
  }

  // ---- 3: events ----

  private void events() {
    if (s.events() == null) {
      return;
    }
    Map<String, List<Event>> created = new HashMap<>();
    Map<String, List<Event>> cancelled = new HashMap<>();
    for (Event event : s.events()) {
      if (event.orderId() == null) {
        r.violation("event_without_order_id", "seq " + event.streamSequence(), event.subject()
            + " has no \"id\" in its body");
        continue;
      }
      if (CREATED.equals(event.subject())) {
        created.computeIfAbsent(event.orderId(), k -> new ArrayList<>()).add(event);
      } else if (CANCELLED.equals(event.subject())) {
        cancelled.computeIfAbsent(event.orderId(), k -> new ArrayList<>()).add(event);
      }
      if (!s.orders().containsKey(event.orderId()) && !s.ordersAfterSnapshot().contains(event.orderId())) {
        r.violation("event_for_unknown_order", event.orderId(), event.subject() + " (stream sequence "
            + event.streamSequence() + ") names an order that does not exist");
      }
    }
    Map<String, OutboxRow> unpublished = new HashMap<>();
    Map<String, OutboxRow> published = new HashMap<>();
    for (OutboxRow row : s.outbox()) {
      (row.published() ? published : unpublished).put(row.subject() + " " + row.orderId(), row);
    }
    for (Order order : s.orders().values()) {
      if (order.late()) {
        continue;
      }
      List<Event> c = created.getOrDefault(order.id(), List.of());
      List<Event> x = cancelled.getOrDefault(order.id(), List.of());
      expectOne(order, CREATED, c, unpublished, published);
      if (order.confirmed() && !x.isEmpty()) {
        r.violation("cancelled_event_for_confirmed_order", order.id(), x.size() + " cancelled event(s) (sequence "
            + sequences(x) + ") for an order that is CONFIRMED");
      }
      if (order.cancelled()) {
        expectOne(order, CANCELLED, x, unpublished, published);
        if (c.size() == 1 && x.size() == 1 && x.get(0).streamSequence() < c.get(0).streamSequence()) {
          r.violation("cancelled_before_created", order.id(), "cancelled event at sequence "
              + x.get(0).streamSequence() + " comes before the created event at " + c.get(0).streamSequence());
        }
      }
    }
  }

  private void expectOne(Order order, String subject, List<Event> found, Map<String, OutboxRow> unpublished,
                         Map<String, OutboxRow> published) {
    String kind = subject.substring(subject.lastIndexOf('.') + 1);
    if (found.size() > 1) {
      r.violation("duplicate_" + kind + "_event", order.id(), found.size() + " " + subject + " events (sequences "
          + sequences(found) + ")");
    } else if (found.isEmpty()) {
      long changedAt = CREATED.equals(subject) ? order.createdAtMillis() : order.updatedAtMillis();
      if (s.streamExpiredBefore() != null && changedAt < s.streamExpiredBefore()) {
        expired++;
        return;
      }
      OutboxRow waiting = unpublished.get(subject + " " + order.id());
      if (waiting != null && waiting.ageMs() <= o.outboxMaxAgeMs()) {
        r.transientState(kind + "_event_on_its_way", order.id(), "in the outbox for " + waiting.ageMs()
            + " ms, not published yet");
      } else {
        String where = waiting != null ? "unpublished in the outbox for " + waiting.ageMs() + " ms"
            : published.containsKey(subject + " " + order.id())
            ? "the outbox marked it published, but the stream does not have it (lost)"
            : "no outbox row either";
        r.violation("missing_" + kind + "_event", order.id(), order.status() + " order has no " + subject
            + " event in stream ORDERS; " + where);
      }
    }
  }

  private static String sequences(List<Event> events) {
    return events.stream().map(e -> String.valueOf(e.streamSequence())).toList().toString();
  }

  // ---- 4: idempotency keys ----

  private void idempotencyKeys() {
    Map<String, List<String>> keysByOrder = new HashMap<>();
    for (IdempotencyKey key : s.keys()) {
      String answered = key.answeredOrderId();
      if (answered == null) {
        r.violation("key_answer_unreadable", key.key(), "its stored 201 body has no order id");
        continue;
      }
      if (!answered.equals(key.orderIdColumn())) {
        r.violation("key_order_mismatch", key.key(), "claimed order id " + key.orderIdColumn()
            + " but its stored 201 answer names " + answered);
      }
      if (!s.orders().containsKey(answered) && !s.ordersAfterSnapshot().contains(answered)) {
        r.violation("key_names_missing_order", key.key(), "its stored 201 answer names order " + answered
            + ", which does not exist");
      }
      keysByOrder.computeIfAbsent(answered, k -> new ArrayList<>()).add(key.key());
    }
    keysByOrder.forEach((orderId, keys) -> {
      if (keys.size() > 1) {
        r.violation("order_named_by_two_keys", orderId, "named by the keys " + keys);
      }
    });
  }

  // ---- 5: acknowledged orders ----

  private void acknowledged() {
    o.acknowledged().forEach((orderId, expected) -> {
      Order order = s.orders().get(orderId);
      if (order == null && !s.ordersAfterSnapshot().contains(orderId)) {
        r.violation("acknowledged_order_missing", orderId, "the client was answered for this order, but it is"
            + " not stored" + (expected == null ? "" : " (expected " + expected + ")"));
      } else if (order != null && expected != null && !expected.equals(order.status())) {
        r.violation("acknowledged_status_lost", orderId, "the client was told " + expected + ", the order is "
            + order.status());
      }
    });
  }
}
