package com.reactiveshop.launcher.observability;

import com.reactiveshop.common.logging.AccessLog;
import com.reactiveshop.common.tracing.Tracing;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static com.reactiveshop.launcher.observability.ObservedSystem.GATEWAY;
import static com.reactiveshop.launcher.observability.ObservedSystem.ORDERS;
import static com.reactiveshop.launcher.observability.ObservedSystem.PRODUCTS;
import static com.reactiveshop.launcher.observability.ObservedSystem.USERS;
import static com.reactiveshop.launcher.observability.ObservedSystem.orderBody;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing on, through the whole system: one {@code POST /api/orders} through the gateway is one trace with spans from
 * every service, linked parent to child across each HTTP and NATS hop, the database calls and the outbox event;
 * errors carry the trace id over HTTP and NATS; JSON log lines carry the trace of their request; {@code /metrics} has
 * the latency histograms and the business series, and every query of the Grafana dashboard names a series it has.
 */
class ObservabilityTest {

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final String HEX32 = "[0-9a-f]{32}";

  private static ObservedSystem system;
  private static String userId;
  private static String productId;

  @BeforeAll
  static void start() throws Exception {
    // Read by routers and micro services as they are built: the JSON log test needs access lines.
    AccessLog.enable(true);
    system = ObservedSystem.start(true);
    userId = system.createUser("Ada Lovelace");
    productId = system.createProduct("Difference Engine", 125_000, 500);
  }

  @AfterAll
  static void stop() {
    AccessLog.enable(false);
    if (system != null) {
      system.close();
    }
  }

  @Test
  void onePostThroughTheGatewayIsOneTraceAcrossEveryHop() throws Exception {
    HttpResponse<String> response = system.viaGateway("POST", "/api/orders", orderBody(userId, productId, 1));
    String orderId = ObservedSystem.created(response).getString("id");
    String traceId = response.headers().firstValue(Tracing.TRACE_ID_HEADER).orElseThrow();
    assertTrue(traceId.matches(HEX32), traceId);

    Message event = eventually(Duration.ofSeconds(20), () -> first(system, orderId), m -> m != null);
    assertNotNull(event, "the created event is published");
    List<SpanData> trace = eventually(Duration.ofSeconds(10), () -> spansOf(traceId),
        spans -> spans.stream().anyMatch(s -> s.getKind() == SpanKind.PRODUCER));

    assertEquals(Set.of(GATEWAY, ORDERS, USERS, PRODUCTS),
        trace.stream().map(ObservabilityTest::service).collect(Collectors.toSet()), describe(trace));

    SpanData gatewayServer = one(trace, GATEWAY, SpanKind.SERVER, "POST /api/orders");
    assertFalse(gatewayServer.getParentSpanContext().isValid(), "the gateway starts the trace");
    SpanData gatewayClient = one(trace, GATEWAY, SpanKind.CLIENT, "POST /api/orders");
    assertParent(gatewayServer, gatewayClient);
    SpanData orderServer = one(trace, ORDERS, SpanKind.SERVER, "POST /api/orders");
    assertParent(gatewayClient, orderServer);
    assertEquals("/api/orders", orderServer.getAttributes().get(AttributeKey.stringKey("http.route")));

    SpanData usersClient = one(trace, ORDERS, SpanKind.CLIENT, "users.get");
    assertParent(orderServer, usersClient);
    assertParent(usersClient, one(trace, USERS, SpanKind.SERVER, "users.get"));
    SpanData reserveClient = one(trace, ORDERS, SpanKind.CLIENT, "products.reserve");
    assertParent(orderServer, reserveClient);
    assertParent(reserveClient, one(trace, PRODUCTS, SpanKind.SERVER, "products.reserve"));

    List<SpanData> queries = trace.stream().filter(s -> "postgresql".equals(
        s.getAttributes().get(AttributeKey.stringKey("db.system")))).toList();
    assertFalse(queries.isEmpty(), "the order's statements are spans: " + describe(trace));
    queries.forEach(query -> assertParent(orderServer, query));

    SpanData publish = one(trace, ORDERS, SpanKind.PRODUCER, "orders.events.created publish");
    assertParent(orderServer, publish);
    String traceparent = event.getHeaders().getFirst("traceparent");
    assertTrue(traceparent.startsWith("00-" + traceId + "-" + publish.getSpanId() + "-"),
        "the event carries the trace on, as a child of its publication: " + traceparent);
  }

  @Test
  void errorsCarryTheTraceIdOverHttpAndNats() throws Exception {
    HttpResponse<String> unknownUser = system.viaGateway("POST", "/api/orders",
        orderBody("0123456789abcdef01234567", productId, 1));
    assertEquals(422, unknownUser.statusCode(), unknownUser.body());
    JsonObject error = new JsonObject(unknownUser.body()).getJsonObject("error");
    assertEquals("user_not_found", error.getString("code"));
    assertTrue(error.getString("traceId").matches(HEX32), error.encode());
    assertEquals(unknownUser.headers().firstValue(Tracing.TRACE_ID_HEADER).orElseThrow(), error.getString("traceId"));

    HttpResponse<String> noSuchRoute = system.send(ORDERS, "GET", "/nowhere", null, Map.of());
    assertEquals(404, noSuchRoute.statusCode());
    assertEquals(noSuchRoute.headers().firstValue(Tracing.TRACE_ID_HEADER).orElseThrow(),
        new JsonObject(noSuchRoute.body()).getJsonObject("error").getString("traceId"));

    // A NATS caller's own trace continues in the service, and its error reply names it.
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    Headers headers = new Headers().put("traceparent", "00-" + callerTrace + "-00f067aa0ba902b7-01");
    Message reply = system.client.request(io.nats.client.impl.NatsMessage.builder().subject("users.get")
            .headers(headers).data("{\"id\":\"0123456789abcdef01234567\"}", StandardCharsets.UTF_8).build(),
        Duration.ofSeconds(10));
    assertEquals("404", reply.getHeaders().getFirst("Nats-Service-Error-Code"));
    JsonObject natsError = new JsonObject(new String(reply.getData(), StandardCharsets.UTF_8)).getJsonObject("error");
    assertEquals("user_not_found", natsError.getString("code"));
    assertEquals(callerTrace, natsError.getString("traceId"));
    SpanData served = eventually(Duration.ofSeconds(5), () -> spansOf(callerTrace).stream()
        .filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElse(null), s -> s != null);
    assertEquals("00f067aa0ba902b7", served.getParentSpanId());
  }

  @Test
  void jsonLogLinesCarryTheTraceOfTheirRequest() {
    String traceId;
    List<JsonObject> lines;
    try (JsonLogCapture capture = new JsonLogCapture()) {
      HttpResponse<String> response = system.viaGateway("GET", "/api/users/" + userId, null);
      assertEquals(200, response.statusCode(), response.body());
      traceId = response.headers().firstValue(Tracing.TRACE_ID_HEADER).orElseThrow();
      lines = eventually(Duration.ofSeconds(10), () -> parse(capture.lines()), found -> found.stream()
          .filter(line -> traceId.equals(line.getString("trace_id"))).count() >= 2);
    }
    for (JsonObject line : lines) {
      assertTrue(line.getString("time").matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})"),
          "time with date and zone: " + line.encode());
      assertNotNull(line.getString("level"), line.encode());
      assertNotNull(line.getString("logger"), line.encode());
      assertNotNull(line.getString("message"), line.encode());
      assertNotNull(line.getString("service"), "every JSON line names a service: " + line.encode());
    }
    JsonObject served = lines.stream().filter(line -> "access.http".equals(line.getString("logger"))
        && USERS.equals(line.getString("service")) && traceId.equals(line.getString("trace_id"))).findFirst()
        .orElseThrow(() -> new AssertionError("no access line of the user service in " + lines));
    assertEquals("INFO", served.getString("level"));
    assertEquals("GET", served.getString("method"));
    assertEquals("/api/users/:id", served.getString("route"), "the route template, never the id");
    assertEquals(200, served.getInteger("status"));
    assertTrue(served.getValue("duration_ms") instanceof Number, served.encode());
    assertTrue(served.getString("span_id").matches("[0-9a-f]{16}"), served.encode());
    assertTrue(lines.stream().anyMatch(line -> GATEWAY.equals(line.getString("service"))
        && "/api/users".equals(line.getString("route")) && traceId.equals(line.getString("trace_id"))),
        "the gateway logs the same trace: " + lines);
  }

  @Test
  void metricsShowLatencyHistogramsAndBusinessSeriesAfterTraffic() {
    String created = ObservedSystem.created(system.viaGateway("POST", "/api/orders", orderBody(userId, productId, 1),
        Map.of("Idempotency-Key", "metrics-" + System.nanoTime()))).getString("id");
    assertEquals(200, system.viaGateway("POST", "/api/orders/" + created + "/cancel", null).statusCode());
    String key = "replayed-" + System.nanoTime();
    String body = orderBody(userId, productId, 1);
    assertEquals(201, system.viaGateway("POST", "/api/orders", body, Map.of("Idempotency-Key", key)).statusCode());
    HttpResponse<String> replay = system.viaGateway("POST", "/api/orders", body, Map.of("Idempotency-Key", key));
    assertEquals("true", replay.headers().firstValue("Idempotent-Replayed").orElse(null));
    assertEquals(409, system.viaGateway("POST", "/api/orders", orderBody(userId, productId, 1_000)).statusCode());

    String metrics = system.metrics(ORDERS);
    // Latency histograms with the fixed buckets, labelled by route template and by subject.
    assertHas(metrics, "vertx_http_server_response_time_seconds_bucket{", "route=\"/api/orders\"", "le=\"0.005\"");
    assertHas(metrics, "vertx_http_server_response_time_seconds_bucket{", "route=\"/api/orders/:id/cancel\"");
    assertHas(metrics, "nats_client_request_duration_seconds_bucket{", "subject=\"products.reserve\"",
        "le=\"0.0025\"");
    assertHas(metrics, "nats_server_request_duration_seconds_bucket{", "subject=\"users.get\"",
        "service=\"user-service\"", "outcome=\"ok\"");
    assertHas(metrics, "nats_server_request_duration_seconds_bucket{", "subject=\"products.reserve\"",
        "outcome=\"client_error\"");
    // Business series.
    assertPositive(metrics, "orders_placed_total");
    assertPositive(metrics, "orders_cancelled_total");
    assertPositive(metrics, "orders_idempotent_replays_total");
    assertPositive(metrics, "order_reservations_refused_total{reason=\"insufficient_stock\"}");
    assertPositive(metrics, "order_circuit_breaker_calls_total{breaker=\"product-service\",outcome=\"success\"}");
    assertHas(metrics, "order_circuit_breaker_state{", "breaker=\"user-service\"");
    assertHas(metrics, "order_outbox_backlog ");
    assertHas(metrics, "order_outbox_oldest_age_seconds ");
    assertHas(metrics, "order_release_retries_pending ");
    assertHas(metrics, "vertx_pool_in_use{", "pool_name=\"order-service-pg\"");
    // Bounded: no label holds an id.
    assertFalse(metrics.matches("(?s).*=\"[^\"]*[0-9a-f]{24}[^\"]*\".*"), "no ObjectId in a label");
    assertFalse(metrics.matches("(?s).*=\"[^\"]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[^\"]*\".*"), "no UUID in a label");
  }

  @Test
  void everyDashboardQueryNamesASeriesThatMetricsExposes() throws Exception {
    // Traffic on every path the dashboard shows: orders (one refused), a cancel, NATS both ways.
    String orderId = ObservedSystem.created(system.viaGateway("POST", "/api/orders",
        orderBody(userId, productId, 1))).getString("id");
    system.viaGateway("POST", "/api/orders/" + orderId + "/cancel", null);
    system.viaGateway("POST", "/api/orders", orderBody(userId, productId, 1_000));
    Set<String> exposed = new java.util.HashSet<>();
    for (String part : List.of(USERS, PRODUCTS, ORDERS, GATEWAY)) {
      exposed.addAll(DashboardQueries.exposed(system.metrics(part)));
    }

    List<String> queries = DashboardQueries.queries(DashboardQueries.dashboard());
    assertTrue(queries.size() >= 10, "the dashboard has its panels: " + queries);
    for (String query : queries) {
      Set<String> series = DashboardQueries.seriesOf(query);
      assertFalse(series.isEmpty(), "a query that reads no series: " + query);
      for (String name : series) {
        assertTrue(exposed.contains(name), "'" + name + "' of the query " + query + " is not in /metrics");
      }
    }
  }

  // ---- helpers ----

  private static Message first(ObservedSystem system, String orderId) {
    try {
      List<Message> events = system.eventsFor(orderId);
      return events.isEmpty() ? null : events.get(0);
    } catch (Exception e) {
      return null;
    }
  }

  static List<SpanData> spansOf(String traceId) {
    return system.spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
  }

  private static String service(SpanData span) {
    return span.getResource().getAttribute(SERVICE_NAME);
  }

  private static SpanData one(List<SpanData> trace, String service, SpanKind kind, String name) {
    Predicate<SpanData> match = s -> service.equals(service(s)) && s.getKind() == kind && s.getName().equals(name);
    List<SpanData> found = trace.stream().filter(match).toList();
    assertEquals(1, found.size(), "one " + kind + " span '" + name + "' of " + service + " in " + describe(trace));
    return found.get(0);
  }

  private static void assertParent(SpanData parent, SpanData child) {
    assertEquals(parent.getSpanId(), child.getParentSpanId(),
        child.getName() + " (" + service(child) + ") is a child of " + parent.getName() + " (" + service(parent) + ")");
    assertEquals(parent.getTraceId(), child.getTraceId());
  }

  private static List<JsonObject> parse(List<String> lines) {
    return lines.stream().map(line -> {
      try {
        return new JsonObject(line);
      } catch (RuntimeException e) {
        throw new AssertionError("not one JSON object: " + line, e);
      }
    }).toList();
  }

  private static void assertHas(String metrics, String start, String... labels) {
    boolean found = metrics.lines().anyMatch(line -> line.startsWith(start)
        && java.util.Arrays.stream(labels).allMatch(line::contains));
    assertTrue(found, "a line " + start + " with " + List.of(labels) + " in\n" + metrics);
  }

  /** The sum of the series named {@code series} (with a label selector: those whose labels start so) is above 0. */
  private static void assertPositive(String metrics, String series) {
    String prefix = series.endsWith("}") ? series.substring(0, series.length() - 1) : series;
    double value = metrics.lines()
        .filter(line -> series.endsWith("}") ? line.startsWith(prefix)
            : line.startsWith(prefix + " ") || line.startsWith(prefix + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    assertTrue(value > 0, series + " > 0 in\n" + metrics);
  }

  static String describe(List<SpanData> spans) {
    return spans.stream().map(s -> service(s) + " " + s.getKind() + " '" + s.getName() + "' " + s.getSpanId()
        + " <- " + s.getParentSpanId()).collect(Collectors.joining("\n  ", "\n  ", ""));
  }
}
