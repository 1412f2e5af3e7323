package com.reactiveshop.launcher.observability;

import com.reactiveshop.common.tracing.Tracing;
import io.nats.client.Message;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static com.reactiveshop.launcher.observability.ObservedSystem.GATEWAY;
import static com.reactiveshop.launcher.observability.ObservedSystem.ORDERS;
import static com.reactiveshop.launcher.observability.ObservedSystem.PRODUCTS;
import static com.reactiveshop.launcher.observability.ObservedSystem.USERS;
import static com.reactiveshop.launcher.observability.ObservedSystem.orderBody;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing off (no OTEL_* settings): the same system has no tracer in any Vert.x, exports nothing (not even through a
 * global OpenTelemetry someone registered), sends no trace headers, and works as before.
 */
class TracingOffTest {

  private static ObservedSystem system;
  private static OpenTelemetrySdk global;

  @BeforeAll
  static void start() throws Exception {
    system = ObservedSystem.start(false);
    // A global SDK that exports to the same in-memory exporter: nothing may reach for it behind our back.
    global = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(system.spans)).build()).build();
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(global);
  }

  @AfterAll
  static void stop() {
    GlobalOpenTelemetry.resetForTest();
    if (global != null) {
      global.close();
    }
    if (system != null) {
      system.close();
    }
  }

  @Test
  void nothingIsTracedOrExportedAndEverythingWorks() throws Exception {
    for (String part : List.of(USERS, PRODUCTS, ORDERS, GATEWAY)) {
      assertNull(Tracing.of(system.vertx(part)), part);
      assertNull(((VertxInternal) system.vertx(part)).tracer(), part + " has no tracer at all");
    }
    String userId = system.createUser("Grace Hopper");
    String productId = system.createProduct("Harvard Mark I", 50_000, 10);

    HttpResponse<String> placed = system.viaGateway("POST", "/api/orders", orderBody(userId, productId, 2));
    String orderId = ObservedSystem.created(placed).getString("id");
    assertTrue(placed.headers().firstValue(Tracing.TRACE_ID_HEADER).isEmpty(), "no trace id header");

    HttpResponse<String> refused = system.viaGateway("POST", "/api/orders",
        orderBody("0123456789abcdef01234567", productId, 1));
    assertEquals(422, refused.statusCode(), refused.body());
    JsonObject error = new JsonObject(refused.body()).getJsonObject("error");
    assertEquals("user_not_found", error.getString("code"));
    assertFalse(error.containsKey("traceId"), "no trace, no traceId: " + error.encode());

    Message reply = system.client.request("users.get",
        "{\"id\":\"0123456789abcdef01234567\"}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
    assertFalse(new JsonObject(new String(reply.getData(), StandardCharsets.UTF_8)).getJsonObject("error")
        .containsKey("traceId"));

    List<Message> events = eventually(Duration.ofSeconds(20), () -> {
      try {
        return system.eventsFor(orderId);
      } catch (Exception e) {
        return List.of();
      }
    }, found -> !found.isEmpty());
    assertEquals(1, events.size(), "the created event is published");
    assertNull(events.get(0).getHeaders().getFirst("traceparent"), "the event carries no trace context");
    assertEquals(List.of(), system.spans.getFinishedSpanItems(), "nothing exported");
  }
}
