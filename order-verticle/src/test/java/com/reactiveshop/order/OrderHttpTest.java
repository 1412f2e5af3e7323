package com.reactiveshop.order;

import com.reactiveshop.common.service.ServiceSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.UUID;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order service's HTTP contract against the real user and product services. */
class OrderHttpTest {

  static OrderServiceFixture f;
  static String userId;

  @BeforeAll
  static void start() throws Exception {
    f = new OrderServiceFixture();
    userId = f.createUser("ada");
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void placesAnOrderWithNamesAndPricesCopiedAndStockTaken() {
    String pen = f.createProduct("pen", 150, 10);
    String ink = f.createProduct("ink", 999, 5);
    HttpResponse<Buffer> created = f.postOrder(orderBody(userId, pen, 3, ink, 1));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject order = created.bodyAsJsonObject();
    String id = order.getString("id");
    UUID.fromString(id);
    assertEquals(OrderRoutes.API + "/" + id, created.getHeader("Location"));
    assertEquals(userId, order.getString("userId"));
    assertEquals("CONFIRMED", order.getString("status"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("productId", pen).put("name", "pen").put("quantity", 3).put("priceCents", 150))
        .add(new JsonObject().put("productId", ink).put("name", "ink").put("quantity", 1).put("priceCents", 999)),
        order.getJsonArray("items"));
    assertEquals(3 * 150 + 999, order.getLong("totalCents"));
    assertTrue(order.getString("createdAt").matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"),
        order.getString("createdAt"));
    assertEquals(order.getString("createdAt"), order.getString("updatedAt"));
    assertEquals(7, f.stock(pen));
    assertEquals(4, f.stock(ink));

    HttpResponse<Buffer> read = f.getOrders(OrderRoutes.API + "/" + id);
    assertEquals(200, read.statusCode());
    assertEquals(order, read.bodyAsJsonObject());
  }

  @Test
  void idsInUpperCaseNameTheSameUserAndProduct() {
    String cup = f.createProduct("cup", 100, 4);
    HttpResponse<Buffer> created = f.postOrder(orderBody(userId.toUpperCase(), cup.toUpperCase(), 1));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(userId, created.bodyAsJsonObject().getString("userId"));
    assertEquals(cup, created.bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("productId"));
    assertEquals(3, f.stock(cup));
    // The same product in two letter cases is one product listed twice.
    assertEquals(400, f.postOrder(orderBody(userId, cup, 1, cup.toUpperCase(), 1)).statusCode());
  }

  @Test
  void unknownUserIs422AndGivesTheReservationBack() {
    String pen = f.createProduct("pen", 150, 10);
    long orders = f.count("SELECT count(*) FROM orders");
    assertError(f.postOrder(orderBody("0123456789abcdef01234567", pen, 4)), 422, "user_not_found");
    assertEquals(10, f.stock(pen));
    assertEquals(orders, f.count("SELECT count(*) FROM orders"));
    assertTrue(eventually(() -> f.count("SELECT count(*) FROM pending_releases") == 0), "no intent left behind");
  }

  @Test
  void unknownProductIs422AndTakesNothing() {
    String pen = f.createProduct("pen", 150, 10);
    String unknown = "0123456789abcdef01234567";
    JsonObject error = assertError(f.postOrder(orderBody(userId, pen, 2, unknown, 1)), 422, "product_not_found");
    assertTrue(error.getJsonArray("details").encode().contains(unknown), error.encode());
    assertEquals(10, f.stock(pen));
  }

  @Test
  void idsOfTheWrongShapeNameNothingAndAre422LikeUnknownOnes() {
    String pen = f.createProduct("pen", 150, 10);
    assertError(f.postOrder(orderBody("no-such-user", pen, 1)), 422, "user_not_found");
    JsonObject error = assertError(f.postOrder(orderBody(userId, pen, 2, "No-Such-Product", 1)), 422,
        "product_not_found");
    assertEquals(new JsonArray().add(new JsonObject().put("productId", "No-Such-Product")),
        error.getJsonArray("details"));
    assertEquals(10, f.stock(pen));
  }

  @Test
  void shortStockIs409WithOneDetailPerShortProduct() {
    String a = f.createProduct("a", 100, 2);
    String b = f.createProduct("b", 100, 50);
    String c = f.createProduct("c", 100, 0);
    JsonObject error = assertError(f.postOrder(orderBody(userId, a, 3, b, 5, c, 1)), 409, "insufficient_stock");
    assertEquals(new JsonArray()
            .add(new JsonObject().put("productId", a).put("requested", 3).put("available", 2))
            .add(new JsonObject().put("productId", c).put("requested", 1).put("available", 0)),
        error.getJsonArray("details"));
    assertEquals(2, f.stock(a));
    assertEquals(50, f.stock(b));
  }

  /** The product service caches products: an order's stock move and a cancel's give-back are read back at once. */
  @Test
  void productReadsFollowAnOrderAndItsCancelAtOnce() {
    String pen = f.createProduct("cached pen", 150, 10);
    HttpResponse<Buffer> before = f.send(f.productPort, HttpMethod.GET, "/api/products/" + pen, null, Map.of());
    String etag = before.getHeader("ETag");
    assertEquals(10, before.bodyAsJsonObject().getLong("stock"));
    String id = f.postOrder(orderBody(userId, pen, 4)).bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> taken = f.send(f.productPort, HttpMethod.GET, "/api/products/" + pen, null,
        Map.of("If-None-Match", etag));
    assertEquals(200, taken.statusCode(), "the order changed the product, so its old tag no longer matches");
    assertEquals(6, taken.bodyAsJsonObject().getLong("stock"));
    assertEquals(200, f.cancel(id).statusCode());
    assertEquals(10, f.stock(pen));
  }

  @Test
  void cancelGivesStockBackOnceAndIsRepeatable() {
    String pen = f.createProduct("pen", 150, 10);
    String id = f.postOrder(orderBody(userId, pen, 4)).bodyAsJsonObject().getString("id");
    assertEquals(6, f.stock(pen));
    HttpResponse<Buffer> first = f.cancel(id);
    assertEquals(200, first.statusCode(), first.bodyAsString());
    assertEquals("CANCELLED", first.bodyAsJsonObject().getString("status"));
    assertEquals(10, f.stock(pen));
    HttpResponse<Buffer> second = f.cancel(id);
    assertEquals(200, second.statusCode(), second.bodyAsString());
    assertEquals(first.bodyAsJsonObject(), second.bodyAsJsonObject());
    assertEquals(10, f.stock(pen));
    assertEquals("CANCELLED", f.getOrders(OrderRoutes.API + "/" + id).bodyAsJsonObject().getString("status"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "%7B%22%24gt%22%3A%22%22%7D"})
  void wrongShapedOrUnknownIdsAreNotFound(String id) {
    assertError(f.getOrders(OrderRoutes.API + "/" + id), 404, "order_not_found");
    assertError(f.cancel(id), 404, "order_not_found");
    assertError(f.getOrders(OrderRoutes.API + "/" + UUID.randomUUID()), 404, "order_not_found");
    assertError(f.cancel(UUID.randomUUID().toString()), 404, "order_not_found");
  }

  @Test
  void listsNewestFirstPerUserWithPaging() {
    String other = f.createUser("grace");
    String pen = f.createProduct("pen", 150, 100);
    String first = f.postOrder(orderBody(other, pen, 1)).bodyAsJsonObject().getString("id");
    String second = f.postOrder(orderBody(other, pen, 2)).bodyAsJsonObject().getString("id");
    String third = f.postOrder(orderBody(other, pen, 3)).bodyAsJsonObject().getString("id");

    JsonObject page = f.getOrders(OrderRoutes.API + "?userId=" + other).bodyAsJsonObject();
    assertEquals(3, page.getLong("total"));
    assertEquals(20, page.getInteger("limit"));
    assertEquals(0, page.getInteger("offset"));
    assertEquals(third, page.getJsonArray("items").getJsonObject(0).getString("id"));
    assertEquals(second, page.getJsonArray("items").getJsonObject(1).getString("id"));
    assertEquals(first, page.getJsonArray("items").getJsonObject(2).getString("id"));

    JsonObject paged = f.getOrders(OrderRoutes.API + "?userId=" + other + "&limit=1&offset=1").bodyAsJsonObject();
    assertEquals(3, paged.getLong("total"));
    assertEquals(1, paged.getJsonArray("items").size());
    assertEquals(second, paged.getJsonArray("items").getJsonObject(0).getString("id"));

    JsonObject all = f.getOrders(OrderRoutes.API + "?limit=100").bodyAsJsonObject();
    assertTrue(all.getLong("total") >= 3);
    assertEquals(third, all.getJsonArray("items").getJsonObject(0).getString("id"));

    // a page further down carries the same orders, lines included, as the first page shows at that position
    JsonObject further = f.getOrders(OrderRoutes.API + "?limit=2&offset=1").bodyAsJsonObject();
    assertEquals(all.getLong("total"), further.getLong("total"));
    assertEquals(1, further.getInteger("offset"));
    assertEquals(all.getJsonArray("items").getJsonObject(1), further.getJsonArray("items").getJsonObject(0));
    assertEquals(all.getJsonArray("items").getJsonObject(2), further.getJsonArray("items").getJsonObject(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"?limit=0", "?limit=101", "?limit=abc", "?offset=-1", "?limit=1.5", "?userId=abc",
      "?userId=%7B%22%24gt%22%3A%22%22%7D", "?userId=0123456789abcdef01234567&userId=0123456789abcdef01234568"})
  void badListParametersAre400(String query) {
    assertError(f.getOrders(OrderRoutes.API + query), 400, "validation_failed");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{}",
      "[]",
      "\"x\"",
      "{bad json",
      "{\"userId\": \"%U\"}",
      "{\"items\": [{\"productId\": \"%P\", \"quantity\": 1}]}",
      "{\"userId\": \"%U\", \"items\": []}",
      "{\"userId\": \"%U\", \"items\": {}}",
      "{\"userId\": \"%U\", \"items\": [1]}",
      "{\"userId\": \"%U\", \"items\": [null]}",
      "{\"userId\": {\"$gt\": \"\"}, \"items\": [{\"productId\": \"%P\", \"quantity\": 1}]}",
      "{\"userId\": \"\", \"items\": [{\"productId\": \"%P\", \"quantity\": 1}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": 42, \"quantity\": 1}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": {\"$gt\": \"\"}, \"quantity\": 1}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": 0}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": 1001}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": -1}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": 1.5}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": \"2\"}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": 1e2}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": 99999999999999999999}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\"}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": 1, \"price\": 1}]}",
      "{\"userId\": \"%U\", \"items\": [{\"productId\": \"%P\", \"quantity\": 1}, {\"productId\": \"%P\", \"quantity\": 2}]}",
      "{\"userId\": \"%U\", \"status\": \"CANCELLED\", \"items\": [{\"productId\": \"%P\", \"quantity\": 1}]}",
      "{\"userId\": null, \"items\": [{\"productId\": \"%P\", \"quantity\": 1}]}",
  })
  void badBodiesAre400AndChangeNothing(String template) {
    String pen = f.createProduct("pen", 150, 10);
    String body = template.replace("%U", userId).replace("%P", pen);
    long orders = f.count("SELECT count(*) FROM orders");
    assertError(f.postOrder(body), 400, "validation_failed");
    assertError(f.postOrder(body, "key-" + UUID.randomUUID()), 400, "validation_failed");
    assertEquals(orders, f.count("SELECT count(*) FROM orders"));
    assertEquals(10, f.stock(pen));
  }

  @Test
  void moreThanOneHundredItemsIs400() {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 101; i++) {
      items.add(new JsonObject().put("productId", String.format("%024x", i)).put("quantity", 1));
    }
    JsonObject error = assertError(f.postOrder(new JsonObject().put("userId", userId).put("items", items).encode()),
        400, "validation_failed");
    assertEquals("items", error.getJsonArray("details").getJsonObject(0).getString("field"));
  }

  @Test
  void readOnlyFieldsAreIgnored() {
    String pen = f.createProduct("pen", 150, 10);
    JsonObject body = new JsonObject(orderBody(userId, pen, 1)).put("id", "x").put("createdAt", "y").put("updatedAt", 1);
    assertEquals(201, f.postOrder(body.encode()).statusCode());
  }

  @Test
  void badIdempotencyKeysAre400() {
    String pen = f.createProduct("pen", 150, 10);
    String body = orderBody(userId, pen, 1);
    assertError(f.postOrder(body, "k".repeat(256)), 400, "validation_failed");
    assertError(f.postOrder(body, ""), 400, "validation_failed");
    assertEquals(201, f.postOrder(body, "k".repeat(255)).statusCode());
    assertEquals(9, f.stock(pen));
  }

  @Test
  void mediaTypeSizeRoutesAndMethods() {
    String pen = f.createProduct("pen", 150, 10);
    assertError(f.send(f.orderPort, HttpMethod.POST, OrderRoutes.API, orderBody(userId, pen, 1),
        Map.of("Content-Type", "text/plain")), 415, "unsupported_media_type");
    String huge = new JsonObject().put("userId", userId).put("pad", "x".repeat(70_000)).encode();
    assertError(f.postOrder(huge), 413, "payload_too_large");
    assertError(f.getOrders("/api/nothing"), 404, "not_found");
    HttpResponse<Buffer> put = f.send(f.orderPort, HttpMethod.PUT, OrderRoutes.API, "{}", Map.of());
    assertError(put, 405, "method_not_allowed");
    assertNotNull(put.getHeader("Allow"));
    assertError(f.send(f.orderPort, HttpMethod.GET, OrderRoutes.API + "/" + UUID.randomUUID() + "/cancel", null,
        Map.of()), 405, "method_not_allowed");
    assertEquals(10, f.stock(pen));
  }

  @Test
  void healthShowsStoreNatsAndBreakersAndMetricsShowBreakerStates() {
    HttpResponse<Buffer> live = f.getOrders("/health/live");
    assertEquals(200, live.statusCode());
    HttpResponse<Buffer> ready = f.getOrders("/health/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    JsonObject body = ready.bodyAsJsonObject();
    assertEquals("UP", body.getString("status"));
    String checks = body.getJsonArray("checks").encode();
    assertTrue(checks.contains("\"postgresql\"") && checks.contains("\"nats\""), checks);
    assertTrue(checks.contains("\"user-service\"") && checks.contains("\"product-service\"")
        && checks.contains("\"CLOSED\""), checks);
    String metrics = f.getOrders("/metrics").bodyAsString();
    assertTrue(metrics.contains("order_circuit_breaker_state{breaker=\"product-service\"}"), metrics);
    assertTrue(metrics.contains("order_circuit_breaker_state{breaker=\"user-service\"}"), metrics);
    assertTrue(metrics.contains("vertx_http_server_"), "HTTP server series");
  }

  @Test
  void metricsShowTheBatchesOfEveryStoreStepAnOrderWentThrough() {
    String pen = f.createProduct("pen", 150, 10);
    HttpResponse<Buffer> created = f.send(f.orderPort, HttpMethod.POST, OrderRoutes.API, orderBody(userId, pen, 1),
        Map.of("Content-Type", "application/json", "Idempotency-Key", "batch-metrics-" + UUID.randomUUID()));
    assertEquals(201, created.statusCode(), created.bodyAsString());

    String metrics = f.getOrders("/metrics").bodyAsString();
    // The order's steps, in the order it takes them: the key's claim (with the release intent), the stock take and
    // the reservation record on the product side, then the one statement that stores the order.
    for (String step : new String[] {"store=\"postgresql\",batch=\"idempotency_key_claim\"",
        "store=\"mongodb\",batch=\"stock_take\"", "store=\"mongodb\",batch=\"reservation_insert\"",
        "store=\"postgresql\",batch=\"order_commit\""}) {
      assertTrue(seriesValue(metrics, "store_batch_size_count", step) >= 1, step + " in\n" + metrics);
      assertTrue(seriesValue(metrics, "store_batch_item_duration_seconds_count", step) >= 1, step);
      assertTrue(seriesValue(metrics, "store_batch_flush_duration_seconds_count", step) >= 1, step);
    }
  }

  /** The value of the series {@code name} whose labels include {@code labels} (in either order); -1 if none. */
  private static double seriesValue(String scrape, String name, String labels) {
    String[] pair = labels.split(",");
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") && line.contains(pair[0]) && line.contains(pair[1])) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  @Test
  void migrationsRunOnceWhenSeveralInstancesStartTogetherOnAFreshDatabase() {
    assertEquals(Migrations.FILES.size(), f.count("SELECT count(*) FROM schema_migrations"));
    await(f.db.query("CREATE DATABASE fresh_orders").execute());
    String freshUri = f.postgres.uri().replace("/order-service", "/fresh_orders");
    f.undeployOrders();
    try {
      OrderSettings fresh = new OrderSettings(freshUri, 4, 64, f.settings.users(), f.settings.products(), 200, 300,
          5_000, 60_000);
      String three = await(f.vertx.deployVerticle(() -> new OrderVerticle(f.bridge, fresh, ServiceSettings.local(0)),
          new DeploymentOptions().setInstances(3)));
      Pool freshDb = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(freshUri)).using(f.vertx).build();
      try {
        long applied = await(freshDb.query("SELECT count(*) FROM schema_migrations").execute())
            .iterator().next().getLong(0);
        assertEquals(Migrations.FILES.size(), applied);
      } finally {
        await(freshDb.close());
        await(f.vertx.undeploy(three));
      }
    } finally {
      f.deployOrders();
    }
    assertEquals(Migrations.FILES.size(), f.count("SELECT count(*) FROM schema_migrations"));
    assertEquals(200, f.getOrders(OrderRoutes.API).statusCode());
  }
}
