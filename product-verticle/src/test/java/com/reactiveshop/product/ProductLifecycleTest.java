package com.reactiveshop.product;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.discovery.Discovery;
import com.reactiveshop.nats.cache.CachedDocuments;
import io.vertx.core.Context;
import io.vertx.core.Future;
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
 * crashed instance are settled or given back: the crash states are written straight into the store, then the
 * {@link HoldSweeper} or a request finishes them. Crash states are written behind the service's back (as by a process
 * that died before it could announce its writes) and a sweep runs outside it, so the service runs without its cache
 * here and every read sees the store at once; how the cache follows the sweeper is in {@link ProductCacheTest}.
 */
class ProductLifecycleTest {

  private ProductServiceFixture fx;

  @BeforeEach
  void start() throws Exception {
    fx = new ProductServiceFixture(CacheSettings.OFF);
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

  /**
   * Settled holds are carried by the next take on their product, not written alone; a take that is refused leaves
   * them waiting, and they are written at the latest when the ledger flushes (here only at its stop: the fallback
   * timer is an hour).
   */
  @Test
  void settledHoldsRideOnTheNextTakeOfTheirProduct() throws Exception {
    String a = fx.createProduct("Ride A", 100, 10).getString("id");
    String b = fx.createProduct("Ride B", 100, 1).getString("id");
    injectHold(a, "donea", "order-a", 2, 0);
    injectHold(b, "doneb", "order-b", 1, 0);
    StockLedger stock = new StockLedger(fx.vertx, fx.db, CachedDocuments.detached(), 3_600_000);
    Context context = fx.vertx.getOrCreateContext();
    Future<StockLedger.Take> taken = Future.future(done -> context.runOnContext(v -> {
      stock.settle("donea", List.of(a));
      stock.settle("doneb", List.of(b));
      stock.take(a, new StockLedger.Hold("next", "order-next", 1)).onComplete(done);
    }));
    assertTrue(await(taken) instanceof StockLedger.Taken);
    assertEquals(List.of("next"), List.copyOf(holds(a).fieldNames()), "the take dropped the settled hold");

    Future<StockLedger.Take> refused = Future.future(done -> context.runOnContext(v ->
        stock.take(b, new StockLedger.Hold("big", "order-big", 5)).onComplete(done)));
    assertTrue(await(refused) instanceof StockLedger.Short);
    assertEquals(List.of("doneb"), List.copyOf(holds(b).fieldNames()), "a refused take changed nothing");

    await(Future.future(done -> context.runOnContext(v -> stock.flushSettled().<Void>mapEmpty().onComplete(done))));
    assertTrue(holds(b).isEmpty(), "written at the flush");
    assertEquals(7, fx.stock(a));
    assertEquals(0, fx.stock(b));
  }

  /** A hold as a reservation attempt leaves it on a product, taking the units with it, {@code ageMs} ago. */
  private void injectHold(String productId, String attempt, String orderId, long quantity, long ageMs) {
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", productId), new JsonObject()
        .put("$inc", new JsonObject().put("stock", -quantity))
        .put("$set", new JsonObject().put(StockLedger.holdField(attempt), new JsonObject().put("o", orderId)
            .put("q", quantity).put("at", System.currentTimeMillis() - ageMs)))));
  }

  private JsonObject holds(String productId) {
    return await(fx.db.findOne(ProductStore.COLLECTION, new JsonObject().put("_id", productId), null))
        .getJsonObject("holds", new JsonObject());
  }

  private JsonObject record(String orderId) {
    return await(fx.db.findOne(ReservationRecords.COLLECTION, new JsonObject().put("_id", orderId), null));
  }

  /** One sweep, as the periodic one does it, run on a Vert.x context like the verticle's. */
  private int sweep() {
    Context context = fx.vertx.getOrCreateContext();
    StockLedger stock = new StockLedger(fx.vertx, fx.db, CachedDocuments.detached());
    HoldSweeper sweeper = new HoldSweeper(fx.vertx, fx.db, new ReservationRecords(fx.db), stock);
    return await(Future.<Integer>future(done -> context.runOnContext(v ->
        sweeper.sweep(System.currentTimeMillis()).onComplete(done))));
  }

  private static final long OLD = HoldSweeper.GRACE_MS + 60_000;

  @Test
  void anAttemptThatDiedBeforeRecordingGetsItsUnitsBackAndItsOrderIdFenced() throws Exception {
    String a = fx.createProduct("Crash A", 100, 10).getString("id");
    String b = fx.createProduct("Crash B", 200, 5).getString("id");
    String orderId = UUID.randomUUID().toString();
    // Crash state: A taken (stock and hold), B not yet, no record.
    injectHold(a, "deadattempt", orderId, 2, OLD);
    assertEquals(8, fx.stock(a));

    assertEquals(1, sweep());
    assertEquals(10, fx.stock(a));
    assertEquals(new JsonObject(), holds(a));
    assertEquals("RELEASED", record(orderId).getString("status"), "a tombstone fences the dead attempt off");
    // The attempt, were it only slow, could not confirm now; neither can a late reserve of the same order id.
    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(orderId, a, 2, b, 3).encode()), 409,
        "reservation_released");
    assertEquals(10, fx.stock(a));
    assertEquals(5, fx.stock(b));
    assertEquals(0, sweep(), "nothing left to do");
  }

  @Test
  void aRecentHoldIsLeftToItsAttempt() throws Exception {
    String a = fx.createProduct("Busy", 100, 10).getString("id");
    injectHold(a, "liveattempt", UUID.randomUUID().toString(), 2, 0);
    assertEquals(0, sweep());
    assertEquals(8, fx.stock(a));
    assertTrue(holds(a).containsKey("liveattempt"));
  }

  @Test
  void anUnsettledHoldOfAConfirmedReservationIsOnlyDropped() throws Exception {
    String a = fx.createProduct("Settle", 100, 10).getString("id");
    String orderId = UUID.randomUUID().toString();
    fx.natsOk("products.reserve", reserveRequest(orderId, a, 4));
    String attempt = record(orderId).getString("attempt");
    assertTrue(eventually(() -> holds(a).isEmpty()), "settled after the answer");
    // Crash state: the settle never happened (its hold is still there, the units were taken once).
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", a), new JsonObject()
        .put("$set", new JsonObject().put(StockLedger.holdField(attempt), new JsonObject().put("o", orderId)
            .put("q", 4).put("at", System.currentTimeMillis() - OLD)))));

    assertEquals(1, sweep());
    assertEquals(6, fx.stock(a), "the confirmed order keeps its units");
    assertEquals(new JsonObject(), holds(a));
    assertTrue(fx.natsOk("products.release", new JsonObject().put("orderId", orderId)).getBoolean("released"));
    assertEquals(10, fx.stock(a));
  }

  @Test
  void aHoldOfAnAttemptThatLostToAConfirmedOneIsGivenBack() throws Exception {
    String a = fx.createProduct("Duplicate", 100, 10).getString("id");
    String orderId = UUID.randomUUID().toString();
    fx.natsOk("products.reserve", reserveRequest(orderId, a, 3));
    injectHold(a, "losingattempt", orderId, 3, OLD);
    assertEquals(4, fx.stock(a));
    assertEquals(1, sweep());
    assertEquals(7, fx.stock(a));
    assertEquals("CONFIRMED", record(orderId).getString("status"));
  }

  @Test
  void releaseFinishesAHalfFinishedReleaseAndGivesBackOnce() throws Exception {
    String orderId = UUID.randomUUID().toString();
    String a = fx.createProduct("Back A", 100, 10).getString("id");
    String b = fx.createProduct("Back B", 100, 10).getString("id");
    fx.natsOk("products.reserve", reserveRequest(orderId, a, 2, b, 3));
    String attempt = record(orderId).getString("attempt");
    // Crash state: A already given back (with its freed marker), B not yet, the record still CONFIRMED.
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", a), new JsonObject()
        .put("$inc", new JsonObject().put("stock", 2))
        .put("$set", new JsonObject().put(StockLedger.freedField(attempt), System.currentTimeMillis()))));
    JsonObject release = new JsonObject().put("orderId", orderId);
    assertTrue(fx.natsOk("products.release", release).getBoolean("released"));
    assertEquals(10, fx.stock(a));
    assertEquals(10, fx.stock(b));
    assertEquals("RELEASED", record(orderId).getString("status"));
    assertEquals(false, fx.natsOk("products.release", release).getBoolean("released"));
    assertEquals(10, fx.stock(a));
    assertEquals(10, fx.stock(b));
  }

  @Test
  void aRepeatedReserveOfAConfirmedOrderAnswersTheSameAfterStockRanOut() throws Exception {
    String a = fx.createProduct("Last ones", 150, 2).getString("id");
    String orderId = UUID.randomUUID().toString();
    JsonObject first = fx.natsOk("products.reserve", reserveRequest(orderId, a, 2));
    assertEquals(0, fx.stock(a));
    assertEquals(first, fx.natsOk("products.reserve", reserveRequest(orderId, a, 2)));
    assertEquals(0, fx.stock(a));
  }
}
