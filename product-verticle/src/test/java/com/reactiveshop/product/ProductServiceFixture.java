package com.reactiveshop.product;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.cache.ChangePublisher;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.testing.JsonHttp;
import com.reactiveshop.testing.faults.DelayingProxy;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Everything a product-service test needs, started on random ports: nats-server, the MongoDB-wire server, a Vert.x
 * with metrics running {@link ProductVerticle} (more instances on demand), an HTTP client, a separate jnats
 * connection (as a CLI user or the order service would have) and a direct MongoDB client to look at the store.
 */
final class ProductServiceFixture implements AutoCloseable {

  final EmbeddedNats natsServer = EmbeddedNats.start(0, null);
  final EmbeddedMongo mongo = EmbeddedMongo.inMemory();
  final Vertx vertx = Metrics.newVertx();
  final NatsBridge bridge;
  final Connection client;
  final WebClient http;
  final MongoClient db;
  final List<ProductVerticle> instances = new ArrayList<>();
  final List<String> deploymentIds = new ArrayList<>();
  final CacheSettings cacheSettings;
  final UnaryOperator<ChangePublisher> publishing;
  /** Between the service and MongoDB, when asked for: it can hold MongoDB's answers back, as a paused server. */
  final DelayingProxy proxy;
  int port;

  ProductServiceFixture() throws Exception {
    this(CacheSettings.DEFAULTS);
  }

  ProductServiceFixture(CacheSettings cacheSettings) throws Exception {
    this(cacheSettings, UnaryOperator.identity());
  }

  /** {@code publishing} wraps the change notices the service publishes (to suppress or watch them). */
  ProductServiceFixture(CacheSettings cacheSettings, UnaryOperator<ChangePublisher> publishing) throws Exception {
    this(cacheSettings, publishing, false);
  }

  /** With {@code behindProxy}, the service reaches MongoDB through {@link #proxy}. */
  ProductServiceFixture(CacheSettings cacheSettings, UnaryOperator<ChangePublisher> publishing, boolean behindProxy)
      throws Exception {
    this.cacheSettings = cacheSettings;
    this.publishing = publishing;
    this.proxy = behindProxy ? DelayingProxy.start(vertx, "127.0.0.1", mongo.port()) : null;
    bridge = await(NatsBridge.connect(vertx, natsServer.url(), "product-service-test"));
    client = Nats.connect(new Options.Builder().server(natsServer.url()).reportNoResponders().build());
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    db = MongoClient.create(vertx, new JsonObject().put("connection_string", mongo.uri())
        .put("db_name", ProductVerticle.NAME));
    port = deploy().httpPort();
  }

  ProductVerticle deploy() {
    String mongoUri = proxy == null ? mongo.uri() : "mongodb://127.0.0.1:" + proxy.port();
    ProductVerticle verticle = new ProductVerticle(bridge, mongoUri, ServiceSettings.local(0), cacheSettings,
        publishing);
    deploymentIds.add(await(vertx.deployVerticle(verticle)));
    instances.add(verticle);
    return verticle;
  }

  void undeployAll() {
    deploymentIds.forEach(id -> await(vertx.undeploy(id)));
    deploymentIds.clear();
  }

  HttpResponse<Buffer> send(HttpMethod method, String path, String body) {
    return JsonHttp.send(http, port, method, path, body);
  }

  HttpResponse<Buffer> get(String path) {
    return send(HttpMethod.GET, path, null);
  }

  JsonObject createProduct(String name, long priceCents, long stock) {
    HttpResponse<Buffer> response = send(HttpMethod.POST, ProductVerticle.API,
        new JsonObject().put("name", name).put("priceCents", priceCents).put("stock", stock).encode());
    if (response.statusCode() != 201) {
      throw new AssertionError("create failed: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  long stock(String productId) {
    HttpResponse<Buffer> response = get(ProductVerticle.API + "/" + productId);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getLong("stock");
  }

  Message natsRequest(String subject, String payload) throws Exception {
    return client.request(subject, payload.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(15));
  }

  /** A successful NATS reply as JSON; fails the test on an error reply. */
  JsonObject natsOk(String subject, JsonObject payload) throws Exception {
    Message reply = natsRequest(subject, payload.encode());
    assertFalse(reply.hasHeaders() && reply.getHeaders().getFirst("Nats-Service-Error-Code") != null,
        () -> "error reply: " + new String(reply.getData(), StandardCharsets.UTF_8));
    return json(reply);
  }

  static JsonObject reserveRequest(String orderId, Object... productIdAndQuantity) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < productIdAndQuantity.length; i += 2) {
      items.add(new JsonObject().put("productId", productIdAndQuantity[i])
          .put("quantity", productIdAndQuantity[i + 1]));
    }
    return new JsonObject().put("orderId", orderId).put("items", items);
  }

  @Override
  public void close() throws Exception {
    client.close();
    await(db.close());
    await(bridge.close());
    if (proxy != null) {
      proxy.close();
    }
    await(vertx.close());
    mongo.close();
    natsServer.close();
  }
}
