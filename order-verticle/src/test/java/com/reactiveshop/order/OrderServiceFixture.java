package com.reactiveshop.order;

import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.embedded.EmbeddedPostgres;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.product.ProductVerticle;
import com.reactiveshop.testing.JsonHttp;
import com.reactiveshop.user.UserVerticle;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static com.reactiveshop.testing.Await.await;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Everything an order-service test needs, on random ports: nats-server with JetStream, the MongoDB-wire server for
 * the real user and product services, real PostgreSQL, a Vert.x with metrics running {@link UserVerticle},
 * {@link ProductVerticle} and {@link OrderVerticle}, an HTTP client, a separate jnats connection (as a CLI user or
 * an event consumer would have) and a direct PostgreSQL pool to look at the order store. {@link #withStubbedServices}
 * leaves the user and product services (and MongoDB) out, for tests that answer their subjects themselves.
 */
final class OrderServiceFixture implements AutoCloseable {

  private static final BreakerSettings DEFAULT_BREAKERS = new BreakerSettings(2_000, 5, 1_000);

  EmbeddedNats natsServer = EmbeddedNats.start(0, null);
  /** Null without the real user and product services. */
  final EmbeddedMongo mongo;
  final EmbeddedPostgres postgres = EmbeddedPostgres.start(null, 0, "order-service");
  final Vertx vertx = Metrics.newVertx();
  final OrderSettings settings;
  final NatsBridge bridge;
  final Connection client;
  final WebClient http;
  final Pool db;
  /** The stand-ins for the user and product services; null with the real ones. */
  final StubServices stubs;
  /** The same pool as the order service's classes take it. */
  final OrderDatabase database;
  int userPort;
  int productPort;
  int orderPort;
  String productDeployment;
  String orderDeployment;

  OrderServiceFixture(BreakerSettings breakers) throws Exception {
    this(breakers, true);
  }

  /** Only the order service, {@code users.get} and {@code products.*} answered by {@link #stubs}. */
  static OrderServiceFixture withStubbedServices(BreakerSettings breakers) throws Exception {
    return new OrderServiceFixture(breakers, false);
  }

  /** {@link #withStubbedServices(BreakerSettings)} with the default breakers. */
  static OrderServiceFixture withStubbedServices() throws Exception {
    return withStubbedServices(DEFAULT_BREAKERS);
  }

  private OrderServiceFixture(BreakerSettings breakers, boolean realServices) throws Exception {
    mongo = realServices ? EmbeddedMongo.inMemory() : null;
    settings = OrderSettings.defaults(postgres.uri()).withBreakers(breakers, breakers).withIntervals(200, 300);
    bridge = await(NatsBridge.connect(vertx, natsServer.url(), "order-service-test"));
    client = Nats.connect(new Options.Builder().server(natsServer.url()).reportNoResponders().build());
    http = WebClient.create(vertx);
    db = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(PgConnectOptions.fromUri(postgres.uri()))
        .using(vertx).build();
    database = new OrderDatabase(db);
    // On the order service's own connection, as the real services in this process are: they go and come back with it.
    stubs = realServices ? null : new StubServices(bridge.connection());
    if (realServices) {
      UserVerticle users = new UserVerticle(bridge, mongo.uri(), ServiceSettings.local(0));
      await(vertx.deployVerticle(users));
      userPort = users.httpPort();
      deployProducts();
    }
    deployOrders();
  }

  OrderServiceFixture() throws Exception {
    this(DEFAULT_BREAKERS);
  }

  void deployProducts() {
    ProductVerticle products = new ProductVerticle(bridge, mongo.uri(), ServiceSettings.local(0));
    productDeployment = await(vertx.deployVerticle(products));
    productPort = products.httpPort();
  }

  void undeployProducts() {
    await(vertx.undeploy(productDeployment));
  }

  void deployOrders() {
    OrderVerticle orders = new OrderVerticle(bridge, settings, ServiceSettings.local(0));
    orderDeployment = await(vertx.deployVerticle(orders));
    orderPort = orders.httpPort();
  }

  /** Stops nats-server and starts it again on the same port and JetStream store, as a crash and restart would. */
  void restartNats(Runnable whileDown) {
    natsServer.close();
    try {
      whileDown.run();
    } finally {
      natsServer = EmbeddedNats.start(natsServer.port(), natsServer.storeDir());
    }
  }

  void undeployOrders() {
    await(vertx.undeploy(orderDeployment));
  }

  /** A deployed order verticle instance besides the main one. */
  record OrderInstance(String deploymentId, int port) {
  }

  /** One more order verticle instance on the same database and NATS, with its own relay and HTTP port. */
  OrderInstance deployAnotherOrderInstance() {
    OrderVerticle orders = new OrderVerticle(bridge, settings, ServiceSettings.local(0));
    return new OrderInstance(await(vertx.deployVerticle(orders)), orders.httpPort());
  }

  /** Runs {@code work} on a new event-loop context (as a verticle's code runs) and waits for its result. */
  <T> T onNewContext(Supplier<Future<T>> work) {
    Context context = vertx.getOrCreateContext();
    return await(Future.<T>future(done -> context.runOnContext(v -> work.get().onComplete(done))));
  }

  // ---- HTTP ----

  HttpResponse<Buffer> send(int port, HttpMethod method, String path, String body, Map<String, String> headers) {
    return JsonHttp.send(http, port, method, path, body, headers);
  }

  HttpResponse<Buffer> postOrder(String body) {
    return send(orderPort, HttpMethod.POST, OrderRoutes.API, body, Map.of());
  }

  HttpResponse<Buffer> postOrder(String body, String idempotencyKey) {
    return send(orderPort, HttpMethod.POST, OrderRoutes.API, body, Map.of("Idempotency-Key", idempotencyKey));
  }

  Future<HttpResponse<Buffer>> postOrderAsync(int port, String body, String idempotencyKey) {
    return http.request(HttpMethod.POST, port, "127.0.0.1", OrderRoutes.API)
        .putHeader("Content-Type", "application/json")
        .putHeader("Idempotency-Key", idempotencyKey)
        .sendBuffer(Buffer.buffer(body));
  }

  Future<HttpResponse<Buffer>> cancelAsync(int port, String orderId) {
    return http.request(HttpMethod.POST, port, "127.0.0.1", OrderRoutes.API + "/" + orderId + "/cancel").send();
  }

  HttpResponse<Buffer> getOrders(String pathAndQuery) {
    return send(orderPort, HttpMethod.GET, pathAndQuery, null, Map.of());
  }

  HttpResponse<Buffer> cancel(String orderId) {
    return send(orderPort, HttpMethod.POST, OrderRoutes.API + "/" + orderId + "/cancel", null, Map.of());
  }

  String createUser(String name) {
    HttpResponse<Buffer> response = send(userPort, HttpMethod.POST, UserVerticle.API,
        new JsonObject().put("name", name).put("email", name + System.nanoTime() + "@example.com").encode(), Map.of());
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("id");
  }

  String createProduct(String name, long priceCents, long stock) {
    HttpResponse<Buffer> response = send(productPort, HttpMethod.POST, ProductVerticle.API,
        new JsonObject().put("name", name).put("priceCents", priceCents).put("stock", stock).encode(), Map.of());
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("id");
  }

  long stock(String productId) {
    HttpResponse<Buffer> response = send(productPort, HttpMethod.GET, ProductVerticle.API + "/" + productId, null,
        Map.of());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getLong("stock");
  }

  static String orderBody(String userId, Object... productIdAndQuantity) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < productIdAndQuantity.length; i += 2) {
      items.add(new JsonObject().put("productId", productIdAndQuantity[i]).put("quantity", productIdAndQuantity[i + 1]));
    }
    return new JsonObject().put("userId", userId).put("items", items).encode();
  }

  // ---- the store, directly ----

  long count(String sql, Object... params) {
    Row row = await(db.preparedQuery(sql).execute(Tuple.from(params))).iterator().next();
    return row.getLong(0);
  }

  // ---- NATS and JetStream ----

  Message natsRequest(String subject, String payload) throws Exception {
    return client.request(subject, payload.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(15));
  }

  /** Every message in the ORDERS stream, read with an ordered consumer from the start. */
  List<Message> events() throws Exception {
    OrderedConsumerContext consumer = client.getStreamContext(OutboxRelay.STREAM)
        .createOrderedConsumer(new OrderedConsumerConfiguration().filterSubject("orders.events.>"));
    List<Message> messages = new ArrayList<>();
    for (Message m = consumer.next(Duration.ofSeconds(1)); m != null; m = consumer.next(Duration.ofSeconds(1))) {
      messages.add(m);
    }
    return messages;
  }

  /** The events whose body is about {@code orderId}, waiting (up to 20 s) until there are at least {@code n}. */
  List<Message> eventsFor(String orderId, int n) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      List<Message> found = currentEventsFor(orderId);
      if (found.size() >= n || System.currentTimeMillis() > deadline) {
        return found;
      }
      Thread.sleep(200);
    }
  }

  /** The events about {@code orderId} in the stream now. */
  List<Message> currentEventsFor(String orderId) throws Exception {
    List<Message> found = new ArrayList<>();
    for (Message m : events()) {
      if (orderId.equals(json(m).getString("id"))) {
        found.add(m);
      }
    }
    return found;
  }

  @Override
  public void close() throws Exception {
    if (stubs != null) {
      stubs.close();
    }
    client.close();
    await(db.close());
    await(bridge.close());
    await(vertx.close());
    if (mongo != null) {
      mongo.close();
    }
    postgres.close();
    natsServer.close();
  }
}
