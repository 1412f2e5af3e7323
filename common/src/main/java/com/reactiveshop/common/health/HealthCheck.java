package com.reactiveshop.common.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * One readiness check: a name ({@code mongodb}, {@code nats}, ...) and a probe that succeeds when the dependency
 * answers. The probe may return details (such as circuit breaker states) that are shown beside its status.
 */
public record HealthCheck(String name, Supplier<Future<JsonObject>> probe) {
}
