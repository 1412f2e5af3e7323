package com.reactiveshop.order;

import com.reactiveshop.nats.NatsBridge;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.impl.CircuitBreakerImpl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.ArrayList;
import java.util.List;

/**
 * The circuit breakers around the user and product services. There is one pair per process, shared by every
 * order verticle instance in it (kept in a local shared-data map and reference counted), so the breaker state seen
 * in health and metrics is the process's view of a dependency, not one event loop's.
 * Breaker states are exported as the gauge {@code order_circuit_breaker_state{breaker=...}}: 0 closed, 1 half-open,
 * 2 open.
 */
final class DependencyBreakers implements Shareable {

  static final String USERS = "user-service";
  static final String PRODUCTS = "product-service";
  private static final String MAP = "order-service.breakers";

  private final CircuitBreaker users;
  private final CircuitBreaker products;
  private final BreakerSettings userSettings;
  private final BreakerSettings productSettings;
  private final List<Gauge> gauges = new ArrayList<>();
  private final MeterRegistry registry;
  private final NatsBridge nats;
  private final Runnable onReconnected;
  private int holders;

  private DependencyBreakers(Vertx vertx, NatsBridge nats, OrderSettings settings) {
    this.userSettings = settings.users();
    this.productSettings = settings.products();
    this.users = CircuitBreaker.create(USERS, vertx, userSettings.options());
    this.products = CircuitBreaker.create(PRODUCTS, vertx, productSettings.options());
    // Null when Vert.x runs without metrics: then there is nothing to export to.
    this.registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      gauges.add(gauge(users));
      gauges.add(gauge(products));
    }
    // Failures during a NATS outage say nothing about the services behind it: once the connection is back, let
    // calls through at once instead of refusing them until the reset time has passed.
    this.nats = nats;
    this.onReconnected = () -> vertx.runOnContext(v -> {
      close(users);
      close(products);
    });
    nats.onReconnected(onReconnected);
  }

  /** The process's breakers, created by the first verticle instance that asks. */
  static DependencyBreakers acquire(Vertx vertx, NatsBridge nats, OrderSettings settings) {
    LocalMap<String, DependencyBreakers> map = vertx.sharedData().getLocalMap(MAP);
    return map.compute(MAP, (key, existing) -> {
      DependencyBreakers breakers = existing != null ? existing : new DependencyBreakers(vertx, nats, settings);
      breakers.holders++;
      return breakers;
    });
  }

  /** Called by each verticle instance on stop; the last one closes the breakers and removes their gauges. */
  void release(Vertx vertx) {
    LocalMap<String, DependencyBreakers> map = vertx.sharedData().getLocalMap(MAP);
    map.computeIfPresent(MAP, (key, existing) -> {
      if (--existing.holders > 0) {
        return existing;
      }
      existing.close();
      return null;
    });
  }

  private void close() {
    nats.removeReconnectedListener(onReconnected);
    users.close();
    products.close();
    gauges.forEach(registry::remove);
  }

  /**
   * Closes an open breaker now. {@link CircuitBreaker#reset()} leaves an OPEN breaker open (it only clears the count);
   * the implementation's forced reset is the one way to close it before its reset timeout.
   */
  private static void close(CircuitBreaker breaker) {
    if (breaker instanceof CircuitBreakerImpl impl) {
      impl.reset(true);
    } else {
      breaker.reset();
    }
  }

  private Gauge gauge(CircuitBreaker breaker) {
    return Gauge.builder("order.circuit.breaker.state", breaker, b -> stateCode(b.state()))
        .tag("breaker", breaker.name())
        .description("Circuit breaker state of an order-service dependency: 0 closed, 1 half-open, 2 open")
        .register(registry);
  }

  private static double stateCode(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  CircuitBreaker users() {
    return users;
  }

  CircuitBreaker products() {
    return products;
  }

  BreakerSettings userSettings() {
    return userSettings;
  }

  BreakerSettings productSettings() {
    return productSettings;
  }

  /** Details for the readiness answer: each breaker's state and current failure count. */
  JsonObject describe() {
    return new JsonObject().put("breakers", new JsonArray()
        .add(describe(users))
        .add(describe(products)));
  }

  private static JsonObject describe(CircuitBreaker breaker) {
    return new JsonObject().put("name", breaker.name()).put("state", breaker.state().name())
        .put("failures", breaker.failureCount());
  }
}
