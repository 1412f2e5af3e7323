package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.nats.NatsUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.TimeoutException;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order service's business series, counted where the outcome is decided: {@code orders_placed_total} (orders
 * created; Prometheus reserves the suffix {@code _created}),
 * {@code orders_cancelled_total}, {@code orders_idempotent_replays_total},
 * {@code order_reservations_refused_total{reason}} and {@code order_circuit_breaker_calls_total{breaker, outcome}}.
 * Label values come from fixed lists, so the number of series is fixed. Every instance of the process counts into the
 * same series (Micrometer hands out one meter per name and labels). Without metrics the counters count into nothing.
 */
final class OrderMetrics {

  /** Why a reserve was refused: the product service's answer, or that it did not answer. */
  static final List<String> REFUSAL_REASONS = List.of("insufficient_stock", "product_not_found",
      "reservation_released", "overloaded", "unavailable", "other");
  static final List<String> BREAKER_OUTCOMES = List.of("success", "failure", "timeout", "rejected");

  private final Counter created;
  private final Counter cancelled;
  private final Counter replays;
  private final Map<String, Counter> refusals = new HashMap<>();
  /** Per breaker name, one counter per {@link #BREAKER_OUTCOMES} entry, in that order. */
  private final Map<String, Counter[]> breakerCalls = new HashMap<>();

  OrderMetrics(MeterRegistry registry) {
    created = Counter.builder("orders.placed").description("Orders created (201 Created)").register(registry);
    cancelled = Counter.builder("orders.cancelled").description("Orders moved to CANCELLED").register(registry);
    replays = Counter.builder("orders.idempotent.replays")
        .description("POST /api/orders answered from a stored Idempotency-Key answer").register(registry);
    for (String reason : REFUSAL_REASONS) {
      refusals.put(reason, Counter.builder("order.reservations.refused").tag("reason", reason)
          .description("Stock reservations (products.reserve) that did not succeed, by reason").register(registry));
    }
    for (String breaker : List.of(DependencyBreakers.USERS, DependencyBreakers.PRODUCTS)) {
      Counter[] byOutcome = new Counter[BREAKER_OUTCOMES.size()];
      for (int i = 0; i < byOutcome.length; i++) {
        byOutcome[i] = Counter.builder("order.circuit.breaker.calls")
            .tag("breaker", breaker).tag("outcome", BREAKER_OUTCOMES.get(i))
            .description("Calls through an order-service circuit breaker, by outcome (rejected: refused open)")
            .register(registry);
      }
      breakerCalls.put(breaker, byOutcome);
    }
  }

  /** The process's registry, or (Vert.x without metrics) one that keeps nothing. */
  static OrderMetrics create() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    return new OrderMetrics(registry != null ? registry : new CompositeMeterRegistry());
  }

  void created() {
    created.increment();
  }

  void cancelled() {
    cancelled.increment();
  }

  void replayed() {
    replays.increment();
  }

  /** A reserve failed with {@code failure} (as {@link Dependencies#reserve} fails). */
  void reservationRefused(Throwable failure) {
    refusals.get(refusalReason(failure)).increment();
  }

  static String refusalReason(Throwable failure) {
    if (failure instanceof ApiError error) {
      if (error.status() == 404) {
        return "product_not_found";
      }
      return REFUSAL_REASONS.contains(error.code()) ? error.code() : "other";
    }
    if (failure instanceof DependencyUnavailable unavailable) {
      return unavailable.overloaded() ? "overloaded" : "unavailable";
    }
    return "other";
  }

  /** A call through {@code breaker} ended ({@code failure} null: it succeeded, an answer included). */
  void breakerCall(String breaker, Throwable failure) {
    breakerCalls.get(breaker)[breakerOutcome(failure)].increment();
  }

  /** The index in {@link #BREAKER_OUTCOMES}. */
  static int breakerOutcome(Throwable failure) {
    if (failure == null) {
      return 0;
    }
    if (failure instanceof OpenCircuitException) {
      return 3;
    }
    if (failure instanceof TimeoutException
        || failure instanceof NatsUnavailableException unavailable && !unavailable.notDelivered()) {
      return 2;
    }
    return 1;
  }
}
