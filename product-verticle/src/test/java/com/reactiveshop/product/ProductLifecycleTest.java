package com.reactiveshop.product;

import com.reactiveshop.common.discovery.Discovery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static com.reactiveshop.product.ProductServiceFixture.reserveRequest;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a deployment leaves behind (discovery record, readiness), and how reservations left half-finished by a
 * crashed instance are completed or undone: the crash states are written straight into the store.
 */
class ProductLifecycleTest {

  private ProductServiceFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new ProductServiceFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  @Test
  void discoveryRecordLivesAsLongAsTheDeployment() {
    ServiceDiscovery discovery = Discovery.create(fx.vertx, new JsonObject());
    try {
      List<Record> records = await(discovery.getRecords(r -> "product-service".equals(r.getName())));
      assertEquals(1, records.size());
      Record record = records.get(0);
      assertEquals("http-endpoint", record.getType());
      assertEquals(new JsonObject().put("api", "/api/products"), record.getMetadata());
      assertEquals(fx.port, record.getLocation().getInteger("port"));

      fx.undeployAll();
      assertTrue(await(discovery.getRecords(r -> "product-service".equals(r.getName()))).isEmpty());
    } finally {
      discovery.close();
    }
  }

  @Test
  void readinessFollowsMongo() throws Exception {
    assertEquals(200, fx.get("/health/ready").statusCode());
    fx.mongo.stop();
    var down = fx.get("/health/ready");
    assertEquals(503, down.statusCode());
    JsonObject body = down.bodyAsJsonObject();
    assertEquals("DOWN", body.getString("status"));
    assertEquals("mongodb", body.getJsonArray("checks").getJsonObject(0).getString("name"));
    assertEquals("DOWN", body.getJsonArray("checks").getJsonObject(0).getString("status"));
    assertEquals("UP", body.getJsonArray("checks").getJsonObject(1).getString("status"));
    assertEquals(200, fx.get("/health/live").statusCode());
    fx.mongo.restart();
    assertTrue(eventually(() -> fx.get("/health/ready").statusCode() == 200), "ready again once MongoDB is back");
  }

  /** The state a crash leaves after taking item A (stock and marker) and before taking item B. */
  private String[] crashedWhileReserving(String orderId) {
    String a = fx.createProduct("Crash A", 100, 10).getString("id");
    String b = fx.createProduct("Crash B", 200, 5).getString("id");
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", a), new JsonObject()
        .put("$inc", new JsonObject().put("stock", -2)).put("$push", new JsonObject().put("pending", orderId))));
    await(fx.db.insert(ReservationStore.COLLECTION, new JsonObject().put("_id", orderId).put("status", "PENDING")
        .put("items", new JsonArray().add(item(a, 2)).add(item(b, 3)))));
    assertEquals(8, fx.stock(a));
    return new String[] {a, b};
  }

  private static JsonObject item(String productId, long quantity) {
    return new JsonObject().put("productId", productId).put("quantity", quantity);
  }

  private JsonArray pending(String productId) {
    return await(fx.db.findOne(ProductStore.COLLECTION, new JsonObject().put("_id", productId), null))
        .getJsonArray("pending");
  }

  @Test
  void releaseUndoesAHalfFinishedReservationExactly() throws Exception {
    String orderId = UUID.randomUUID().toString();
    String[] ids = crashedWhileReserving(orderId);
    JsonObject release = new JsonObject().put("orderId", orderId);
    assertTrue(fx.natsOk("products.release", release).getBoolean("released"));
    assertEquals(10, fx.stock(ids[0]));
    assertEquals(5, fx.stock(ids[1]));
    assertEquals(new JsonArray(), pending(ids[0]));
    assertEquals(false, fx.natsOk("products.release", release).getBoolean("released"));
    assertEquals(10, fx.stock(ids[0]));
  }

  @Test
  void repeatedReserveCompletesAHalfFinishedReservation() throws Exception {
    String orderId = UUID.randomUUID().toString();
    String[] ids = crashedWhileReserving(orderId);
    // The record's items are what is completed, whatever the repeated request says.
    JsonObject reply = fx.natsOk("products.reserve", reserveRequest(orderId, ids[0], 2, ids[1], 3));
    assertEquals(2 * 100 + 3 * 200, reply.getLong("totalCents"));
    assertEquals(8, fx.stock(ids[0]));
    assertEquals(2, fx.stock(ids[1]));
    assertEquals(new JsonArray(), pending(ids[0]));
    assertEquals(new JsonArray(), pending(ids[1]));
    assertTrue(fx.natsOk("products.release", new JsonObject().put("orderId", orderId)).getBoolean("released"));
    assertEquals(10, fx.stock(ids[0]));
    assertEquals(5, fx.stock(ids[1]));
  }

  @Test
  void repeatedReserveUndoesAHalfFinishedReservationThatCanNoLongerComplete() throws Exception {
    String orderId = UUID.randomUUID().toString();
    String[] ids = crashedWhileReserving(orderId);
    fx.send(io.vertx.core.http.HttpMethod.PUT, ProductVerticle.API + "/" + ids[1],
        "{\"name\":\"Crash B\",\"priceCents\":200,\"stock\":1}");
    JsonObject error = assertErrorReply(fx.natsRequest("products.reserve",
        reserveRequest(orderId, ids[0], 2, ids[1], 3).encode()), 409, "insufficient_stock");
    assertEquals(new JsonArray().add(new JsonObject().put("productId", ids[1]).put("requested", 3)
        .put("available", 1)), error.getJsonArray("details"));
    assertEquals(10, fx.stock(ids[0]));
    assertEquals(1, fx.stock(ids[1]));
  }

  @Test
  void releaseFinishesAHalfFinishedRelease() throws Exception {
    String orderId = UUID.randomUUID().toString();
    String a = fx.createProduct("Back A", 100, 10).getString("id");
    String b = fx.createProduct("Back B", 100, 10).getString("id");
    fx.natsOk("products.reserve", reserveRequest(orderId, a, 2, b, 3));
    // Crash state: RELEASING recorded, A already given back (marker gone), B still marked as held.
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", a),
        new JsonObject().put("$inc", new JsonObject().put("stock", 2))));
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", b),
        new JsonObject().put("$addToSet", new JsonObject().put("pending", orderId))));
    await(fx.db.updateCollection(ReservationStore.COLLECTION, new JsonObject().put("_id", orderId),
        new JsonObject().put("$set", new JsonObject().put("status", "RELEASING"))));
    assertTrue(fx.natsOk("products.release", new JsonObject().put("orderId", orderId)).getBoolean("released"));
    assertEquals(10, fx.stock(a));
    assertEquals(10, fx.stock(b));
  }

  @Test
  void anExpiredLeaseOfADeadInstanceIsTakenOver() throws Exception {
    String id = fx.createProduct("Lease", 100, 10).getString("id");
    String orderId = UUID.randomUUID().toString();
    await(fx.db.insert(ReservationLocks.COLLECTION, new JsonObject().put("_id", orderId).put("owner", "dead")
        .put("until", System.currentTimeMillis() - 1)));
    fx.natsOk("products.reserve", reserveRequest(orderId, id, 4));
    assertEquals(6, fx.stock(id));
    assertEquals(0L, await(fx.db.count(ReservationLocks.COLLECTION, new JsonObject())));
  }

  @Test
  void aLiveLeaseHeldElsewhereMakesTheRequestRetryLaterAndChangesNothing() throws Exception {
    String id = fx.createProduct("Busy", 100, 10).getString("id");
    String orderId = UUID.randomUUID().toString();
    await(fx.db.insert(ReservationLocks.COLLECTION, new JsonObject().put("_id", orderId).put("owner", "other")
        .put("until", System.currentTimeMillis() + 600_000)));
    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(orderId, id, 4).encode()), 409,
        "request_in_progress");
    assertEquals(10, fx.stock(id));
    assertEquals(1L, await(fx.db.count(ReservationLocks.COLLECTION, new JsonObject())), "the other lease is kept");
  }
}
