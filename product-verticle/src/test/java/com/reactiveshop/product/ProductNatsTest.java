package com.reactiveshop.product;

import io.nats.client.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.UUID;

import static com.reactiveshop.product.ProductServiceFixture.reserveRequest;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code products.get}, {@code products.reserve}, {@code products.release}, seen from a separate NATS client. */
class ProductNatsTest {

  private static final String UNKNOWN = "0123456789abcdef01234567";
  private static ProductServiceFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new ProductServiceFixture();
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  private static String orderId() {
    return UUID.randomUUID().toString();
  }

  @Test
  void getAnswersFoundAndMissingInTheOrderAsked() throws Exception {
    JsonObject a = fx.createProduct("A", 100, 1);
    JsonObject b = fx.createProduct("B", 200, 2);
    JsonArray ids = new JsonArray().add(b.getString("id")).add(UNKNOWN).add(a.getString("id").toUpperCase())
        .add("not-an-id").add(b.getString("id"));
    JsonObject reply = fx.natsOk("products.get", new JsonObject().put("ids", ids));
    assertEquals(new JsonArray().add(b).add(a), reply.getJsonArray("items"));
    assertEquals(new JsonArray().add(UNKNOWN).add("not-an-id"), reply.getJsonArray("missing"));
    assertEquals(List.of("items", "missing"), List.copyOf(reply.fieldNames()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "", "[]", "null", "{}", "{\"ids\":[]}", "{\"ids\":\"x\"}", "{\"ids\":[1]}",
      "{\"ids\":[{\"$gt\":\"\"}]}", "{\"ids\":{\"$gt\":\"\"}}", "{\"ids\":null}", "{\"ids\":[null]}",
      "{\"ids\":[\"0123456789abcdef01234567\"],\"extra\":1}"})
  void badGetPayloadsGetA400ErrorReply(String payload) throws Exception {
    assertErrorReply(fx.natsRequest("products.get", payload), 400, "validation_failed");
  }

  @Test
  void getTakesAtMostOneHundredIds() throws Exception {
    JsonArray ids = new JsonArray();
    for (int i = 0; i < 100; i++) {
      ids.add(String.format("%024x", i));
    }
    assertEquals(100, fx.natsOk("products.get", new JsonObject().put("ids", ids)).getJsonArray("missing").size());
    ids.add(String.format("%024x", 100));
    assertErrorReply(fx.natsRequest("products.get", new JsonObject().put("ids", ids).encode()), 400,
        "validation_failed");
  }

  @Test
  void reserveAnswersTheItemsWithNamePriceAndTotal() throws Exception {
    JsonObject tea = fx.createProduct("Tea", 350, 10);
    JsonObject cup = fx.createProduct("Cup", 1200, 4);
    String orderId = orderId();
    JsonObject reply = fx.natsOk("products.reserve",
        reserveRequest(orderId, tea.getString("id"), 3, cup.getString("id"), 2));
    JsonObject expected = new JsonObject().put("orderId", orderId).put("items", new JsonArray()
            .add(new JsonObject().put("productId", tea.getString("id")).put("name", "Tea").put("quantity", 3)
                .put("priceCents", 350))
            .add(new JsonObject().put("productId", cup.getString("id")).put("name", "Cup").put("quantity", 2)
                .put("priceCents", 1200)))
        .put("totalCents", 3 * 350 + 2 * 1200);
    assertEquals(expected, reply);
    assertEquals(7, fx.stock(tea.getString("id")));
    assertEquals(2, fx.stock(cup.getString("id")));
  }

  @Test
  void sameOrderIdReservedTwiceAndReleasedTwiceMovesStockOnceEachWay() throws Exception {
    JsonObject product = fx.createProduct("Idempotent", 100, 10);
    String id = product.getString("id");
    String orderId = orderId();
    JsonObject first = fx.natsOk("products.reserve", reserveRequest(orderId, id, 4));
    assertEquals(6, fx.stock(id));
    JsonObject second = fx.natsOk("products.reserve", reserveRequest(orderId, id, 4));
    assertEquals(first, second);
    assertEquals(6, fx.stock(id));
    // Asking again with other items still answers what was reserved, and takes nothing more.
    assertEquals(first, fx.natsOk("products.reserve", reserveRequest(orderId, id, 9)));
    assertEquals(6, fx.stock(id));

    JsonObject release = new JsonObject().put("orderId", orderId);
    assertEquals(new JsonObject().put("orderId", orderId).put("released", true),
        fx.natsOk("products.release", release));
    assertEquals(10, fx.stock(id));
    assertEquals(new JsonObject().put("orderId", orderId).put("released", false),
        fx.natsOk("products.release", release));
    assertEquals(10, fx.stock(id));

    // A released order id reserves nothing any more.
    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(orderId, id, 1).encode()), 409,
        "reservation_released");
    assertEquals(10, fx.stock(id));
  }

  @Test
  void releaseOfAnUnknownOrderIsNotAnErrorAndBlocksALateReserve() throws Exception {
    String id = fx.createProduct("Late", 100, 5).getString("id");
    String orderId = orderId();
    assertEquals(new JsonObject().put("orderId", orderId).put("released", false),
        fx.natsOk("products.release", new JsonObject().put("orderId", orderId)));
    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(orderId, id, 1).encode()), 409,
        "reservation_released");
    assertEquals(5, fx.stock(id));
  }

  @Test
  void multiItemReserveWhereTheLastItemIsShortTakesNothing() throws Exception {
    String a = fx.createProduct("First", 100, 5).getString("id");
    String b = fx.createProduct("Second", 100, 5).getString("id");
    String c = fx.createProduct("Third", 100, 1).getString("id");
    String orderId = orderId();
    JsonObject error = assertErrorReply(fx.natsRequest("products.reserve",
        reserveRequest(orderId, a, 2, b, 5, c, 2).encode()), 409, "insufficient_stock");
    assertEquals(new JsonArray().add(new JsonObject().put("productId", c).put("requested", 2).put("available", 1)),
        error.getJsonArray("details"));
    assertEquals(5, fx.stock(a));
    assertEquals(5, fx.stock(b));
    assertEquals(1, fx.stock(c));
    // Nothing is held, so nothing is released.
    assertFalse(fx.natsOk("products.release", new JsonObject().put("orderId", orderId)).getBoolean("released"));
    assertEquals(5, fx.stock(a));
  }

  @Test
  void insufficientStockNamesEveryShortProductAndNoOther() throws Exception {
    String a = fx.createProduct("Short one", 100, 1).getString("id");
    String b = fx.createProduct("Plenty", 100, 50).getString("id");
    String c = fx.createProduct("Short two", 100, 0).getString("id");
    JsonObject error = assertErrorReply(fx.natsRequest("products.reserve",
        reserveRequest(orderId(), a, 3, b, 3, c, 1).encode()), 409, "insufficient_stock");
    assertEquals(new JsonArray()
            .add(new JsonObject().put("productId", a).put("requested", 3).put("available", 1))
            .add(new JsonObject().put("productId", c).put("requested", 1).put("available", 0)),
        error.getJsonArray("details"));
    assertEquals(1, fx.stock(a));
    assertEquals(50, fx.stock(b));
    assertEquals(0, fx.stock(c));
  }

  @Test
  void unknownProductIs404AndTakesNothing() throws Exception {
    String a = fx.createProduct("Known", 100, 5).getString("id");
    for (String unknown : new String[] {UNKNOWN, "not-a-product-id"}) {
      JsonObject error = assertErrorReply(fx.natsRequest("products.reserve",
          reserveRequest(orderId(), a, 2, unknown, 1).encode()), 404, "product_not_found");
      assertEquals(new JsonArray().add(new JsonObject().put("productId", unknown)), error.getJsonArray("details"));
      assertEquals(5, fx.stock(a));
    }
  }

  @Test
  void aFailedReserveMayBeTriedAgainWithTheSameOrderId() throws Exception {
    String id = fx.createProduct("Restocked", 250, 1).getString("id");
    String orderId = orderId();
    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(orderId, id, 2).encode()), 409,
        "insufficient_stock");
    assertEquals(200, fx.send(io.vertx.core.http.HttpMethod.PUT, ProductVerticle.API + "/" + id,
        "{\"name\":\"Restocked\",\"priceCents\":250,\"stock\":5}").statusCode());
    JsonObject reply = fx.natsOk("products.reserve", reserveRequest(orderId, id, 2));
    assertEquals(500, reply.getLong("totalCents"));
    assertEquals(3, fx.stock(id));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json", "", "[]", "{}", "{\"items\":[]}",
      "{\"orderId\":\"o\"}",
      "{\"orderId\":\"o\",\"items\":[]}",
      "{\"orderId\":\"o\",\"items\":{}}",
      "{\"orderId\":42,\"items\":[{\"productId\":\"%s\",\"quantity\":1}]}",
      "{\"orderId\":{\"$gt\":\"\"},\"items\":[{\"productId\":\"%s\",\"quantity\":1}]}",
      "{\"orderId\":\"\",\"items\":[{\"productId\":\"%s\",\"quantity\":1}]}",
      "{\"orderId\":\"a\\u0000\",\"items\":[{\"productId\":\"%s\",\"quantity\":1}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":{\"$gt\":\"\"},\"quantity\":1}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":{\"$gt\":0}}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":0}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":-1}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":1001}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":1.5}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":\"1\"}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\"}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":1,\"priceCents\":0}]}",
      "{\"orderId\":\"o\",\"items\":[\"%s\"]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":1},{\"productId\":\"%s\",\"quantity\":2}]}",
      "{\"orderId\":\"o\",\"items\":[{\"productId\":\"%s\",\"quantity\":1}],\"userId\":\"u\"}",
  })
  void badReservePayloadsGetA400AndChangeNothing(String template) throws Exception {
    String id = fx.createProduct("Guarded", 100, 10).getString("id");
    String payload = template.replace("%s", id);
    JsonObject error = assertErrorReply(fx.natsRequest("products.reserve", payload), 400, "validation_failed");
    assertTrue(!error.containsKey("details") || !error.getJsonArray("details").isEmpty());
    assertEquals(10, fx.stock(id));
    // Nothing was recorded for the order id either.
    assertEquals(0L, await(fx.db.count(ReservationRecords.COLLECTION,
        new JsonObject().put("_id", "o"))));
  }

  @Test
  void reserveTakesAtMostOneHundredItems() throws Exception {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 101; i++) {
      items.add(new JsonObject().put("productId", String.format("%024x", i)).put("quantity", 1));
    }
    assertErrorReply(fx.natsRequest("products.reserve",
        new JsonObject().put("orderId", orderId()).put("items", items).encode()), 400, "validation_failed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "", "[]", "{}", "{\"orderId\":1}", "{\"orderId\":{\"$gt\":\"\"}}",
      "{\"orderId\":null}", "{\"orderId\":\"\"}", "{\"orderId\":\"o\",\"extra\":true}"})
  void badReleasePayloadsGetA400(String payload) throws Exception {
    assertErrorReply(fx.natsRequest("products.release", payload), 400, "validation_failed");
  }

  @Test
  void registeredWithTheNatsServicesApi() throws Exception {
    JsonObject info = json(fx.natsRequest("$SRV.INFO.product-service", ""));
    assertEquals("product-service", info.getString("name"));
    assertEquals(ProductVerticle.VERSION, info.getString("version"));
    JsonArray endpoints = info.getJsonArray("endpoints");
    assertEquals(java.util.Set.of("products.get", "products.reserve", "products.release"),
        endpoints.stream().map(e -> ((JsonObject) e).getString("subject"))
            .collect(java.util.stream.Collectors.toSet()));
    endpoints.forEach(e -> assertEquals("q", ((JsonObject) e).getString("queue_group")));

    Message ping = fx.natsRequest("$SRV.PING.product-service", "");
    assertEquals(info.getString("id"), json(ping).getString("id"));
  }
}
