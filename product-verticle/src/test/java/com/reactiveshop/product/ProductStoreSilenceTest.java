package com.reactiveshop.product;

import com.reactiveshop.common.cache.CacheSettings;
import io.nats.client.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.UnaryOperator;

import static com.reactiveshop.testing.Await.eventually;
import static com.reactiveshop.testing.ContractAssertions.assertError;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MongoDB that stops answering without closing its connections (a paused server: {@code docker pause}, a network that
 * drops packets). Its answers are held back 8 s here, less than the driver's 10 s socket timeout, so without a limit of
 * its own the service would simply wait and then succeed. It answers 503 with {@code Retry-After} instead, over HTTP
 * and NATS alike, and is whole again once MongoDB answers.
 */
class ProductStoreSilenceTest {

  private static final Duration SILENCE = Duration.ofSeconds(8);
  static ProductServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new ProductServiceFixture(CacheSettings.DEFAULTS, UnaryOperator.identity(), true);
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void aSilentMongoDbIsA503NotAWait() throws Exception {
    String pen = f.createProduct("Pen", 250, 10).getString("id");
    String orderId = "silence-" + System.nanoTime();
    f.proxy.delay(SILENCE);
    HttpResponse<Buffer> created;
    HttpResponse<Buffer> listed;
    HttpResponse<Buffer> unknown;
    Message reserved;
    try {
      created = f.send(HttpMethod.POST, ProductVerticle.API,
          new JsonObject().put("name", "Ink").put("priceCents", 100).put("stock", 1).encode());
      listed = f.get(ProductVerticle.API + "?limit=5"); // a page is always read from MongoDB
      unknown = f.get(ProductVerticle.API + "/0123456789abcdef01234567"); // in no cache: read from MongoDB
      reserved = f.natsRequest("products.reserve", ProductServiceFixture.reserveRequest(orderId, pen, 1).encode());
    } finally {
      f.proxy.delay(Duration.ZERO);
    }

    assertError(created, 503, "dependency_unavailable");
    assertNotNull(created.getHeader("Retry-After"));
    assertError(listed, 503, "dependency_unavailable");
    assertError(unknown, 503, "dependency_unavailable");
    assertErrorReply(reserved, 503, "dependency_unavailable");

    // Once MongoDB answers again (what it held back arrives first), the reserve that may have happened is released
    // as a caller would after a 503, retried until it is answered, and the stock is whole.
    String release = new JsonObject().put("orderId", orderId).encode();
    assertTrue(eventually(Duration.ofSeconds(30), () -> released(release)));
    assertTrue(eventually(Duration.ofSeconds(30), () -> stockIs(pen, 10)), () -> "stock " + f.stock(pen));
    assertEquals(200, f.get(ProductVerticle.API + "?limit=5").statusCode());
    assertEquals(404, f.get(ProductVerticle.API + "/0123456789abcdef01234567").statusCode());
  }

  /** Whether the product answers, with this stock (what MongoDB held back may still be on its way: then 503). */
  private static boolean stockIs(String productId, long stock) {
    HttpResponse<Buffer> product = f.get(ProductVerticle.API + "/" + productId);
    return product.statusCode() == 200 && product.bodyAsJsonObject().getLong("stock") == stock;
  }

  /** Whether a release was answered without an error (a release is idempotent: asking again is safe). */
  private static boolean released(String release) {
    try {
      Message reply = f.natsRequest("products.release", release);
      return !(reply.hasHeaders() && reply.getHeaders().getFirst("Nats-Service-Error-Code") != null);
    } catch (Exception e) {
      return false;
    }
  }
}
