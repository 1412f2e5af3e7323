package com.reactiveshop.product;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.BulkOperation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import static com.reactiveshop.product.ProductServiceFixture.reserveRequest;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReservationJanitor}: records are written straight into the store with old timestamps, one pass runs on a
 * Vert.x context as the periodic one does, and exactly the released records past retention are gone.
 */
class ReservationJanitorTest {

  private static final Duration OLD = ReservationJanitor.RETENTION.plusHours(1);

  private ProductServiceFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new ProductServiceFixture();
  }

  @AfterEach
  void stop() throws Exception {
    fx.close();
  }

  private <T> T onContext(Supplier<Future<T>> work) {
    Context context = fx.vertx.getOrCreateContext();
    return await(Future.<T>future(done -> context.runOnContext(v -> work.get().onComplete(done))));
  }

  private int janitorPass() {
    ReservationJanitor janitor = new ReservationJanitor(fx.vertx, fx.db);
    return onContext(() -> janitor.removeExpired(System.currentTimeMillis()));
  }

  private JsonObject record(String orderId) {
    return await(fx.db.findOne(ReservationRecords.COLLECTION, new JsonObject().put("_id", orderId), null));
  }

  private static String ago(Duration age) {
    return Instant.now().minus(age).toString();
  }

  /** A record as some version wrote it, last changed {@code age} ago. */
  private String insertRecord(String status, Duration age) {
    String orderId = UUID.randomUUID().toString();
    await(fx.db.insert(ReservationRecords.COLLECTION, new JsonObject().put("_id", orderId).put("status", status)
        .put("createdAt", ago(age.plusHours(1))).put("updatedAt", ago(age))));
    return orderId;
  }

  private void setUpdatedAt(String orderId, Duration age) {
    await(fx.db.updateCollection(ReservationRecords.COLLECTION, new JsonObject().put("_id", orderId),
        new JsonObject().put("$set", new JsonObject().put("updatedAt", ago(age)).put("createdAt", ago(age)))));
  }

  @Test
  void aYearOldConfirmedReservationIsKeptAndCanStillBeReleased() throws Exception {
    String pen = fx.createProduct("Pen", 100, 10).getString("id");
    String orderId = UUID.randomUUID().toString();
    fx.natsOk("products.reserve", reserveRequest(orderId, pen, 3));
    setUpdatedAt(orderId, Duration.ofDays(365));
    assertEquals(7, fx.stock(pen));

    assertEquals(0, janitorPass());

    assertEquals(ReservationRecords.CONFIRMED, record(orderId).getString("status"));
    assertTrue(fx.natsOk("products.release", new JsonObject().put("orderId", orderId)).getBoolean("released"));
    assertEquals(10, fx.stock(pen));
  }

  @Test
  void releasedRecordsGoAfterTheRetentionAndFreshOnesStay() throws Exception {
    String pen = fx.createProduct("Pen", 100, 10).getString("id");
    String releasedOld = UUID.randomUUID().toString();
    fx.natsOk("products.reserve", reserveRequest(releasedOld, pen, 2));
    fx.natsOk("products.release", new JsonObject().put("orderId", releasedOld));
    setUpdatedAt(releasedOld, OLD);
    String releasedFresh = UUID.randomUUID().toString();
    fx.natsOk("products.reserve", reserveRequest(releasedFresh, pen, 2));
    fx.natsOk("products.release", new JsonObject().put("orderId", releasedFresh));
    String tombstoneOld = insertRecord(ReservationRecords.RELEASED, OLD);
    String tombstoneRecent = insertRecord(ReservationRecords.RELEASED, ReservationJanitor.RETENTION.minusHours(1));
    String failedOld = insertRecord(ReservationJanitor.LEGACY_FAILED, OLD);
    String pendingOld = insertRecord("PENDING", Duration.ofDays(365));
    String releasingOld = insertRecord("RELEASING", Duration.ofDays(365));

    assertEquals(3, janitorPass());

    assertNull(record(releasedOld));
    assertNull(record(tombstoneOld));
    assertNull(record(failedOld));
    assertNotNull(record(releasedFresh));
    assertNotNull(record(tombstoneRecent));
    assertNotNull(record(pendingOld));
    assertNotNull(record(releasingOld));
    // A fresh tombstone still fences its order id off; a removed one no longer answers, but a release of it is
    // still no error and gives nothing back.
    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(tombstoneRecent, pen, 1).encode()), 409,
        "reservation_released");
    assertFalse(fx.natsOk("products.release", new JsonObject().put("orderId", releasedOld)).getBoolean("released"));
    assertEquals(10, fx.stock(pen));
    assertEquals(0, janitorPass(), "nothing left past retention");
  }

  @Test
  void aBacklogIsRemovedInBatches() {
    List<JsonObject> old = new ArrayList<>();
    for (int i = 0; i < ReservationJanitor.DELETE_BATCH * 2 + 50; i++) {
      old.add(new JsonObject().put("_id", UUID.randomUUID().toString()).put("status", ReservationRecords.RELEASED)
          .put("createdAt", ago(OLD)).put("updatedAt", ago(OLD)));
    }
    await(fx.db.bulkWrite(ReservationRecords.COLLECTION,
        old.stream().map(BulkOperation::createInsert).toList()));
    String fresh = insertRecord(ReservationRecords.RELEASED, Duration.ofMinutes(1));

    assertEquals(old.size(), janitorPass());
    assertEquals(1L, await(fx.db.count(ReservationRecords.COLLECTION, new JsonObject())));
    assertNotNull(record(fresh));
  }

  @Test
  void emptyLegacyPendingArraysAreDroppedFromProducts() {
    String empty = fx.createProduct("Old empty", 100, 10).getString("id");
    String busy = fx.createProduct("Old busy", 100, 10).getString("id");
    String current = fx.createProduct("Current", 100, 10).getString("id");
    setPending(empty, new JsonArray());
    setPending(busy, new JsonArray().add("some-order"));

    ReservationJanitor janitor = new ReservationJanitor(fx.vertx, fx.db);
    assertEquals(1L, onContext(janitor::dropEmptyLegacyPending));

    assertFalse(product(empty).containsKey("pending"));
    assertEquals(new JsonArray().add("some-order"), product(busy).getJsonArray("pending"));
    assertFalse(product(current).containsKey("pending"));
    assertEquals(10, fx.stock(empty));
  }

  private void setPending(String productId, JsonArray pending) {
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", productId),
        new JsonObject().put("$set", new JsonObject().put("pending", pending))));
  }

  private JsonObject product(String productId) {
    return await(fx.db.findOne(ProductStore.COLLECTION, new JsonObject().put("_id", productId), null));
  }
}
