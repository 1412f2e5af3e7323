package com.reactiveshop.product;

import io.nats.client.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static com.reactiveshop.product.ProductServiceFixture.reserveRequest;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reservations under concurrency, with TWO product-verticle instances in the NATS queue group (as two processes
 * would be), requests sent all at once from a separate NATS connection.
 */
class ProductConcurrencyTest {

  private static ProductServiceFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new ProductServiceFixture();
    fx.deploy();
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  private static List<Message> sendAll(String subject, List<JsonObject> payloads) throws Exception {
    List<CompletableFuture<Message>> replies = new ArrayList<>();
    for (JsonObject payload : payloads) {
      replies.add(fx.client.requestWithTimeout(subject, payload.encode().getBytes(StandardCharsets.UTF_8),
          Duration.ofSeconds(60)));
    }
    List<Message> messages = new ArrayList<>();
    for (CompletableFuture<Message> reply : replies) {
      messages.add(reply.get(90, TimeUnit.SECONDS));
    }
    return messages;
  }

  private static boolean isError(Message message) {
    return message.hasHeaders() && message.getHeaders().getFirst("Nats-Service-Error-Code") != null;
  }

  @Test
  void fiveHundredConcurrentReservesOfOneUnitAgainstStockOneHundred() throws Exception {
    String id = fx.createProduct("Flash sale", 999, 100).getString("id");
    List<JsonObject> requests = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      requests.add(reserveRequest(UUID.randomUUID().toString(), id, 1));
    }
    int succeeded = 0;
    int refused = 0;
    for (Message reply : sendAll("products.reserve", requests)) {
      if (isError(reply)) {
        JsonObject error = assertErrorReply(reply, 409, "insufficient_stock");
        assertEquals(new JsonArray().add(new JsonObject().put("productId", id).put("requested", 1)
            .put("available", 0)), error.getJsonArray("details"));
        refused++;
      } else {
        assertEquals(999, json(reply).getLong("totalCents"));
        succeeded++;
      }
    }
    assertEquals(100, succeeded);
    assertEquals(400, refused);
    assertEquals(0, fx.stock(id));
  }

  /**
   * Mixed quantities against little stock, over two instances: never oversold, every unit taken is in a confirmed
   * reservation, and every refusal asked for more than the stock it reports.
   */
  @Test
  void mixedQuantitiesNeverOversellAndRefusalsAreHonest() throws Exception {
    String id = fx.createProduct("Mixed", 10, 37).getString("id");
    List<JsonObject> requests = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      requests.add(reserveRequest(UUID.randomUUID().toString(), id, 1 + i % 5));
    }
    long taken = 0;
    int refused = 0;
    for (Message reply : sendAll("products.reserve", requests)) {
      if (isError(reply)) {
        JsonObject detail = assertErrorReply(reply, 409, "insufficient_stock").getJsonArray("details")
            .getJsonObject(0);
        assertTrue(detail.getLong("requested") > detail.getLong("available"), detail::encode);
        refused++;
      } else {
        taken += json(reply).getJsonArray("items").getJsonObject(0).getLong("quantity");
      }
    }
    long left = fx.stock(id);
    assertTrue(left >= 0);
    assertEquals(37, taken + left, "every unit that left stock is in a confirmed reservation");
    assertTrue(refused > 0);
    assertTrue(left < 5, "first fit leaves less than the largest quantity asked for: " + left);
  }

  /**
   * Takes for several products arrive in the same batches; one product runs short. Plenty and scarce outcomes do
   * not mix up, and a two-item order whose scarce item is refused gives its plentiful item back.
   */
  @Test
  void batchesOverSeveralProductsKeepEachProductsOutcomeApart() throws Exception {
    String plenty = fx.createProduct("Plenty", 10, 1000).getString("id");
    String scarce = fx.createProduct("Scarce", 20, 5).getString("id");
    List<JsonObject> requests = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String orderId = UUID.randomUUID().toString();
      requests.add(switch (i % 3) {
        case 0 -> reserveRequest(orderId, plenty, 1);
        case 1 -> reserveRequest(orderId, scarce, 1);
        default -> reserveRequest(orderId, plenty, 2, scarce, 1);
      });
    }
    long plentyTaken = 0;
    long scarceTaken = 0;
    for (Message reply : sendAll("products.reserve", requests)) {
      if (isError(reply)) {
        JsonObject detail = assertErrorReply(reply, 409, "insufficient_stock").getJsonArray("details")
            .getJsonObject(0);
        assertEquals(scarce, detail.getString("productId"), "only the scarce product can be short");
        continue;
      }
      for (Object line : json(reply).getJsonArray("items")) {
        JsonObject item = (JsonObject) line;
        if (plenty.equals(item.getString("productId"))) {
          assertEquals(10, item.getLong("priceCents"));
          plentyTaken += item.getLong("quantity");
        } else {
          assertEquals(20, item.getLong("priceCents"));
          scarceTaken += item.getLong("quantity");
        }
      }
    }
    assertEquals(5, scarceTaken);
    assertEquals(0, fx.stock(scarce));
    assertEquals(1000 - plentyTaken, fx.stock(plenty), "refused two-item orders gave their plentiful item back");
    assertTrue(plentyTaken >= 20, "every single-item order of the plentiful product was served");
  }

  @Test
  void concurrentDuplicatesOfOneOrderMoveStockOnceEachWay() throws Exception {
    String a = fx.createProduct("Dup A", 100, 50).getString("id");
    String b = fx.createProduct("Dup B", 100, 50).getString("id");
    String orderId = UUID.randomUUID().toString();
    List<JsonObject> reserves = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      reserves.add(reserveRequest(orderId, a, 3, b, 4));
    }
    List<Message> replies = sendAll("products.reserve", reserves);
    JsonObject first = json(replies.get(0));
    for (Message reply : replies) {
      assertTrue(!isError(reply), () -> json(reply).encode());
      assertEquals(first, json(reply));
    }
    assertEquals(47, fx.stock(a));
    assertEquals(46, fx.stock(b));

    List<JsonObject> releases = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      releases.add(new JsonObject().put("orderId", orderId));
    }
    long released = sendAll("products.release", releases).stream()
        .filter(reply -> json(reply).getBoolean("released")).count();
    assertEquals(1, released);
    assertEquals(50, fx.stock(a));
    assertEquals(50, fx.stock(b));
  }

  /** A release racing its own reserve (the order service gave up waiting): whichever wins, nothing stays taken. */
  @Test
  void releaseRacingItsReserveLeavesNothingTaken() throws Exception {
    String a = fx.createProduct("Race A", 100, 1000).getString("id");
    String b = fx.createProduct("Race B", 100, 1000).getString("id");
    List<CompletableFuture<Message>> replies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String orderId = UUID.randomUUID().toString();
      byte[] reserve = reserveRequest(orderId, a, 2, b, 3).encode().getBytes(StandardCharsets.UTF_8);
      byte[] release = new JsonObject().put("orderId", orderId).encode().getBytes(StandardCharsets.UTF_8);
      boolean releaseFirst = i % 2 == 0;
      replies.add(fx.client.requestWithTimeout(releaseFirst ? "products.release" : "products.reserve",
          releaseFirst ? release : reserve, Duration.ofSeconds(60)));
      replies.add(fx.client.requestWithTimeout(releaseFirst ? "products.reserve" : "products.release",
          releaseFirst ? reserve : release, Duration.ofSeconds(60)));
    }
    for (CompletableFuture<Message> reply : replies) {
      Message message = reply.get(90, TimeUnit.SECONDS);
      if (isError(message)) {
        assertErrorReply(message, 409, "reservation_released");
      }
    }
    assertEquals(1000, fx.stock(a));
    assertEquals(1000, fx.stock(b));
  }

  @Test
  void bothInstancesInTheQueueGroupAnswer() throws Exception {
    String id = fx.createProduct("Spread", 100, 0).getString("id");
    List<JsonObject> requests = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      requests.add(new JsonObject().put("ids", new JsonArray().add(id)));
    }
    for (Message reply : sendAll("products.get", requests)) {
      assertEquals(id, json(reply).getJsonArray("items").getJsonObject(0).getString("id"));
    }
    assertEquals(2, fx.instances.size());
    for (ProductVerticle instance : fx.instances) {
      JsonObject stats = json(fx.natsRequest("$SRV.STATS.product-service." + instance.natsServiceId(), ""));
      assertEquals(instance.natsServiceId(), stats.getString("id"));
      long gets = stats.getJsonArray("endpoints").stream().map(JsonObject.class::cast)
          .filter(e -> "products.get".equals(e.getString("subject")))
          .mapToLong(e -> e.getLong("num_requests")).sum();
      assertTrue(gets > 0, "instance " + instance.natsServiceId() + " answered no products.get");
    }
  }
}
