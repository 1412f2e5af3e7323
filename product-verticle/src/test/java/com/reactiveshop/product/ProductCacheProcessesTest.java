package com.reactiveshop.product;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.cache.ChangePublisher;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.testing.JsonHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static com.reactiveshop.product.ProductServiceFixture.reserveRequest;
import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product cache across processes on one NATS and one MongoDB: process A (the fixture) and processes B, each its
 * own Vert.x with its own NATS connection, MongoDB client and cache, as separate JVMs would have. A change on A
 * reaches B through the change notice, long before B's expiry; a lost notice (A's publishing suppressed) is covered
 * by the expiry.
 */
class ProductCacheProcessesTest {

  private static final String API = ProductVerticle.API;
  private static final CacheSettings LONG = new CacheSettings(60_000, 10_000);
  private static final CacheSettings ONE_SECOND = new CacheSettings(1_000, 10_000);
  /** A's notices go out while this is true; each one suppressed while false is counted. */
  private static final AtomicBoolean announcing = new AtomicBoolean(true);
  private static final AtomicInteger suppressed = new AtomicInteger();
  private static ProductServiceFixture a;
  private static OtherProcess longExpiry;
  private static OtherProcess shortExpiry;

  /** Another process running the product service. */
  private static final class OtherProcess implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final NatsBridge bridge;
    final WebClient http;
    final int port;

    OtherProcess(CacheSettings cache) {
      bridge = await(NatsBridge.connect(vertx, a.natsServer.url(), "other-product-process"));
      http = WebClient.create(vertx);
      ProductVerticle verticle = new ProductVerticle(bridge, a.mongo.uri(), ServiceSettings.local(0), cache);
      await(vertx.deployVerticle(verticle));
      port = verticle.httpPort();
    }

    HttpResponse<Buffer> get(String id) {
      return JsonHttp.send(http, port, HttpMethod.GET, API + "/" + id, null);
    }

    String name(String id) {
      HttpResponse<Buffer> response = get(id);
      return response.statusCode() == 200 ? response.bodyAsJsonObject().getString("name") : null;
    }

    long stock(String id) {
      return get(id).bodyAsJsonObject().getLong("stock");
    }

    @Override
    public void close() {
      await(bridge.close());
      await(vertx.close());
    }
  }

  @BeforeAll
  static void start() throws Exception {
    a = new ProductServiceFixture(LONG, nats -> (origin, id, tag) -> {
      if (announcing.get()) {
        nats.changed(origin, id, tag);
      } else {
        suppressed.incrementAndGet();
      }
    });
    longExpiry = new OtherProcess(LONG);
    shortExpiry = new OtherProcess(ONE_SECOND);
  }

  @AfterAll
  static void stop() throws Exception {
    shortExpiry.close();
    longExpiry.close();
    a.close();
  }

  private static HttpResponse<Buffer> put(String id, String name, long stock) {
    HttpResponse<Buffer> response = a.send(HttpMethod.PUT, API + "/" + id,
        new JsonObject().put("name", name).put("priceCents", 100).put("stock", stock).encode());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response;
  }

  @Test
  void aChangeOnOneProcessIsSeenOnAnotherWithoutWaitingForTheExpiry() throws Exception {
    String id = a.createProduct("Before", 100, 10).getString("id");
    assertEquals("Before", longExpiry.name(id));
    assertEquals("Before", longExpiry.name(id));

    put(id, "After", 10);
    assertTrue(eventually(() -> "After".equals(longExpiry.name(id))), "the notice reached the other process");

    // Stock moves, on whichever process the queue group hands the reserve and the release to.
    String orderId = UUID.randomUUID().toString();
    assertEquals(10, longExpiry.stock(id));
    assertEquals(10, a.stock(id));
    a.natsOk("products.reserve", reserveRequest(orderId, id, 4));
    assertTrue(eventually(() -> longExpiry.stock(id) == 6 && a.stock(id) == 6), "an order taking stock");
    assertTrue(a.natsOk("products.release", new JsonObject().put("orderId", orderId)).getBoolean("released"));
    assertTrue(eventually(() -> longExpiry.stock(id) == 10 && a.stock(id) == 10), "a cancel giving it back");

    assertEquals(204, a.send(HttpMethod.DELETE, API + "/" + id, null).statusCode());
    assertEquals(404, a.get(API + "/" + id).statusCode(), "at once on the process that deleted it");
    assertTrue(eventually(() -> longExpiry.get(id).statusCode() == 404), "and soon on the others");
  }

  @Test
  void aLostNoticeKeepsAnotherProcessStaleAtMostForTheExpiry() {
    String id = a.createProduct("Created", 100, 10).getString("id");
    // The creation's notice may still be on its way and would drop what the other process caches next. A notice of a
    // change that process is seen to take comes after it (one publisher, one subscription: heard in order).
    put(id, "Old name", 10);
    assertTrue(eventually(() -> "Old name".equals(shortExpiry.name(id))));
    long readAt = System.nanoTime();
    assertEquals("Old name", shortExpiry.name(id));
    announcing.set(false);
    try {
      int before = suppressed.get();
      put(id, "New name", 10);
      assertTrue(suppressed.get() > before, "the change tried to announce itself");
      String seen = shortExpiry.name(id);
      if (System.nanoTime() - readAt < TimeUnit.MILLISECONDS.toNanos(ONE_SECOND.ttlMs())) {
        // Still within the expiry of what it cached: nothing told it of the change.
        assertEquals("Old name", seen);
      }
      assertEquals("New name", a.get(API + "/" + id).bodyAsJsonObject().getString("name"));
      assertTrue(eventually(() -> "New name".equals(shortExpiry.name(id))), "the expiry ended the stale copy");
    } finally {
      announcing.set(true);
    }
  }
}
