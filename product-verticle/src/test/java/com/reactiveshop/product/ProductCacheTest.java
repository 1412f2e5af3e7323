package com.reactiveshop.product;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.testing.JsonHttp;
import com.reactiveshop.testing.Scrapes;
import io.nats.client.impl.Headers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.UUID;

import static com.reactiveshop.product.ProductServiceFixture.reserveRequest;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product cache on the instance that writes: every write is read back at once (never the document from before
 * it), reads are served from the cache, and GET by id is conditional (ETag, If-None-Match, 304). The expiry is a
 * minute here, so nothing below can pass by waiting for it.
 */
class ProductCacheTest {

  private static final String API = ProductVerticle.API;
  private static final CacheSettings LONG = new CacheSettings(60_000, 10_000);
  private static ProductServiceFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new ProductServiceFixture(LONG);
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  private static JsonObject read(String id) {
    HttpResponse<Buffer> response = fx.get(API + "/" + id);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> conditional(HttpMethod method, String id, String ifNoneMatch) {
    return JsonHttp.send(fx.http, fx.port, method, API + "/" + id, null, Map.of("If-None-Match", ifNoneMatch));
  }

  private static double gets(String result) {
    return Scrapes.value(fx.get("/metrics").bodyAsString(), "cache_gets_total",
        Map.of("cache", "products", "result", result));
  }

  private static JsonObject natsGet(String id) throws Exception {
    return fx.natsOk("products.get", new JsonObject().put("ids", new JsonArray().add(id)));
  }

  @Test
  void everyWriteIsReadBackAtOnceOnTheInstanceThatMadeIt() throws Exception {
    JsonObject created = fx.createProduct("Kettle", 2500, 10);
    String id = created.getString("id");
    double hits = gets("hit");
    assertEquals(created, read(id));
    assertTrue(gets("hit") > hits, "the created product is served from the cache");

    HttpResponse<Buffer> put = fx.send(HttpMethod.PUT, API + "/" + id,
        "{\"name\":\"Whistling kettle\",\"priceCents\":2700,\"stock\":20}");
    assertEquals(200, put.statusCode(), put.bodyAsString());
    assertEquals(put.bodyAsJsonObject(), read(id));
    assertEquals(put.getHeader("ETag"), fx.get(API + "/" + id).getHeader("ETag"));

    String orderId = UUID.randomUUID().toString();
    fx.natsOk("products.reserve", reserveRequest(orderId, id, 3));
    assertEquals(17, read(id).getLong("stock"), "an order taking stock");
    assertEquals(17, natsGet(id).getJsonArray("items").getJsonObject(0).getLong("stock"));

    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(UUID.randomUUID().toString(), id, 1000)
        .encode()), 409, "insufficient_stock");
    assertEquals(17, read(id).getLong("stock"), "a refused order changes nothing");

    assertTrue(fx.natsOk("products.release", new JsonObject().put("orderId", orderId)).getBoolean("released"));
    assertEquals(20, read(id).getLong("stock"), "a cancel giving stock back");
    assertErrorReply(fx.natsRequest("products.reserve", reserveRequest(orderId, id, 3).encode()), 409,
        "reservation_released");
    assertEquals(20, read(id).getLong("stock"));

    assertEquals(204, fx.send(HttpMethod.DELETE, API + "/" + id, null).statusCode());
    assertError(fx.get(API + "/" + id), 404, "product_not_found");
    assertEquals(404, fx.send(HttpMethod.HEAD, API + "/" + id, null).statusCode());
    assertEquals(new JsonArray().add(id), natsGet(id).getJsonArray("missing"));
  }

  @Test
  void aHoldGivenBackByTheSweeperIsReadBackAtOnce() throws Exception {
    String id = fx.createProduct("Swept", 100, 10).getString("id");
    assertEquals(10, read(id).getLong("stock"));
    // A reservation attempt of a process that died: its units taken, its hold left behind (written straight into the
    // store), and, as another process would, a change notice.
    await(fx.db.updateCollection(ProductStore.COLLECTION, new JsonObject().put("_id", id), new JsonObject()
        .put("$inc", new JsonObject().put("stock", -2))
        .put("$set", new JsonObject().put(StockLedger.holdField("deadattempt"), new JsonObject()
            .put("o", UUID.randomUUID().toString()).put("q", 2)
            // Old enough for the sweeper in a few seconds, not before the notice below is seen.
            .put("at", System.currentTimeMillis() - HoldSweeper.GRACE_MS + 3_000)))));
    fx.client.publish(ProductVerticle.CHANGES_SUBJECT, new Headers().put("Cache-Origin", "a-dead-process"),
        new JsonObject().put("id", id).encode().getBytes());
    assertTrue(eventually(() -> read(id).getLong("stock") == 8), "the notice dropped the cached product");
    // The instance's own sweeper gives the units back; only its give-back can refresh the cache within the minute.
    assertTrue(eventually(() -> read(id).getLong("stock") == 10), "the sweeper's give-back is read back");
  }

  @Test
  void theEtagChangesWithStockAnd304IsOnlyForTheCurrentTag() throws Exception {
    JsonObject created = fx.createProduct("Tagged", 500, 5);
    String id = created.getString("id");
    HttpResponse<Buffer> first = fx.get(API + "/" + id);
    String etag = first.getHeader("ETag");
    assertNotNull(etag);
    assertTrue(etag.matches("\"[0-9a-f]{16}\""), etag);
    assertEquals(etag, fx.get(API + "/" + id).getHeader("ETag"), "stable while nothing changes");

    for (String matching : new String[] {etag, "W/" + etag, "\"nope\", " + etag, "*", "\"a\",\"b\" , W/" + etag}) {
      HttpResponse<Buffer> notModified = conditional(HttpMethod.GET, id, matching);
      assertEquals(304, notModified.statusCode(), matching);
      assertNull(notModified.body(), "304 has no body");
      assertEquals(etag, notModified.getHeader("ETag"));
      assertEquals(304, conditional(HttpMethod.HEAD, id, matching).statusCode(), "HEAD agrees: " + matching);
    }
    HttpResponse<Buffer> other = conditional(HttpMethod.GET, id, "\"0000000000000000\"");
    assertEquals(200, other.statusCode());
    assertEquals(created, other.bodyAsJsonObject());
    HttpResponse<Buffer> head = fx.send(HttpMethod.HEAD, API + "/" + id, null);
    assertEquals(200, head.statusCode());
    assertEquals(etag, head.getHeader("ETag"));
    assertNull(head.body());

    fx.natsOk("products.reserve", reserveRequest(UUID.randomUUID().toString(), id, 1));
    HttpResponse<Buffer> afterOrder = conditional(HttpMethod.GET, id, etag);
    assertEquals(200, afterOrder.statusCode(), "stock moved: the old tag no longer matches");
    assertEquals(4, afterOrder.bodyAsJsonObject().getLong("stock"));
    String newTag = afterOrder.getHeader("ETag");
    assertNotEquals(etag, newTag);
    assertEquals(304, conditional(HttpMethod.GET, id, newTag).statusCode());

    assertError(conditional(HttpMethod.GET, "0123456789abcdef01234567", "*"), 404, "product_not_found");
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "\"unterminated", "W/", "*, \"x\"", "\"a\" \"b\"", "\"a b\"", ",,,", "\"\"",
      "W/\"", "\"x\"y", "********************************************************************************"})
  void aBadIfNoneMatchIsIgnored(String value) {
    String id = fx.createProduct("Ignored", 1, 1).getString("id");
    String etag = fx.get(API + "/" + id).getHeader("ETag");
    HttpResponse<Buffer> response = conditional(HttpMethod.GET, id, value);
    assertEquals(200, response.statusCode(), value);
    assertEquals(etag, response.getHeader("ETag"));
    assertEquals(id, response.bodyAsJsonObject().getString("id"));
    HttpResponse<Buffer> hugeList = conditional(HttpMethod.GET, id, (value + ",").repeat(200));
    assertTrue(hugeList.statusCode() == 200 || hugeList.statusCode() == 431, "never a 5xx: " + hugeList.statusCode());
  }

  @Test
  void createAndReplaceAnswerTheTagThatGetWillAnswer() {
    HttpResponse<Buffer> created = fx.send(HttpMethod.POST, API, "{\"name\":\"Posted\",\"priceCents\":1,\"stock\":1}");
    assertEquals(201, created.statusCode());
    String id = created.bodyAsJsonObject().getString("id");
    assertEquals(created.getHeader("ETag"), fx.get(API + "/" + id).getHeader("ETag"));
    assertEquals("application/json", created.getHeader("Content-Type"));
    assertEquals(API + "/" + id, created.getHeader("Location"));
  }

  @Test
  void cacheSeriesAreInTheMetrics() {
    String id = fx.createProduct("Counted", 1, 1).getString("id");
    read(id);
    fx.get(API + "/0123456789abcdef01234567");
    String scrape = fx.get("/metrics").bodyAsString();
    assertTrue(Scrapes.value(scrape, "cache_gets_total", Map.of("cache", "products", "result", "hit")) > 0, scrape);
    assertTrue(Scrapes.value(scrape, "cache_gets_total", Map.of("cache", "products", "result", "miss")) > 0);
    assertTrue(Scrapes.has(scrape, "cache_evictions_total", Map.of("cache", "products", "cause", "size")));
    assertTrue(Scrapes.has(scrape, "cache_evictions_total", Map.of("cache", "products", "cause", "expired")));
    assertTrue(Scrapes.value(scrape, "cache_size", Map.of("cache", "products")) > 0);
  }
}
