package com.reactiveshop.launcher;

import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.embedded.EmbeddedPostgres;
import com.reactiveshop.testing.Await;
import com.reactiveshop.testing.JsonHttp;
import com.reactiveshop.testing.OpenApiConformance;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real answers of every route of openapi.yaml, errors included, checked against it by vertx-openapi's validator
 * ({@link OpenApiConformance}): the launcher jar runs the three services and the gateway on NATS, MongoDB-wire and
 * PostgreSQL servers started here; a second gateway with no services behind it answers 503; PostgreSQL is stopped
 * last for the order service's 503s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiConformanceIT {

  /** The repository's description (failsafe runs in the module directory). */
  private static final Path DESCRIPTION = Path.of("..", "openapi.yaml");
  private static final String UNKNOWN_OBJECT_ID = "0123456789abcdef01234567";
  private static final String OVERSIZE = "{\"name\":\"" + "x".repeat(70_000) + "\"}";
  private static final Map<String, String> TEXT = Map.of("Content-Type", "text/plain");

  private static EmbeddedNats nats;
  private static EmbeddedNats emptyNats;
  private static EmbeddedMongo mongo;
  private static EmbeddedPostgres postgres;
  private static LauncherProcess shop;
  private static LauncherProcess emptyGateway;
  private static int userPort;
  private static int productPort;
  private static int orderPort;
  private static int gatewayPort;
  private static int emptyGatewayPort;
  private static Vertx vertx;
  private static WebClient client;
  private static OpenApiConformance api;

  private static String userId;
  private static String productId;
  private static String orderId;

  @BeforeAll
  static void start() throws Exception {
    nats = EmbeddedNats.start(0, null);
    emptyNats = EmbeddedNats.start(0, null);
    mongo = EmbeddedMongo.inMemory();
    postgres = EmbeddedPostgres.start(null, 0, "order-service");
    userPort = LauncherProcess.freePort();
    productPort = LauncherProcess.freePort();
    orderPort = LauncherProcess.freePort();
    gatewayPort = LauncherProcess.freePort();
    emptyGatewayPort = LauncherProcess.freePort();
    Map<String, String> env = new HashMap<>(Map.of("NATS_URL", nats.url(), "MONGO_URI", mongo.uri(),
        "PG_URI", postgres.uri(), "EMBEDDED", "false", "USER_HTTP_PORT", "" + userPort,
        "PRODUCT_HTTP_PORT", "" + productPort, "ORDER_HTTP_PORT", "" + orderPort, "GATEWAY_HTTP_PORT", "" + gatewayPort));
    shop = LauncherProcess.start("all-services", env);
    emptyGateway = LauncherProcess.start("gateway-alone", Map.of("NATS_URL", emptyNats.url(), "EMBEDDED", "false",
        "GATEWAY_HTTP_PORT", "" + emptyGatewayPort), "--services", "gateway");
    shop.awaitOutput("reactive-shop is up");
    emptyGateway.awaitReady("http://127.0.0.1:" + emptyGatewayPort + "/health/ready");
    vertx = Vertx.vertx();
    client = WebClient.create(vertx);
    api = OpenApiConformance.load(vertx, DESCRIPTION);
    // The gateway routes once discovery shows all three services.
    assertTrue(Await.eventually(() -> JsonHttp.send(client, gatewayPort, HttpMethod.GET, "/api/services", null)
        .bodyAsJsonObject().getLong("total") == 3), "the three services are in discovery");
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable each : new AutoCloseable[] {shop, emptyGateway}) {
      if (each != null) {
        each.close();
      }
    }
    if (vertx != null) {
      Await.await(vertx.close());
    }
    for (AutoCloseable each : new AutoCloseable[] {postgres, mongo, nats, emptyNats}) {
      if (each != null) {
        each.close();
      }
    }
  }

  @Test
  @Order(1)
  void users() {
    userId = expect(201, call(userPort, HttpMethod.POST, "/api/users",
        "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}")).bodyAsJsonObject().getString("id");
    expect(409, call(userPort, HttpMethod.POST, "/api/users", "{\"name\":\"Ada\",\"email\":\"ADA@example.com\"}"));
    expect(400, call(userPort, HttpMethod.POST, "/api/users", "{\"name\":\"\",\"email\":\"not an address\"}"));
    expect(415, call(userPort, HttpMethod.POST, "/api/users", "{\"name\":\"A\",\"email\":\"a@example.com\"}", TEXT));
    expect(413, call(userPort, HttpMethod.POST, "/api/users", OVERSIZE));

    expect(200, call(userPort, HttpMethod.GET, "/api/users?limit=1&offset=0", null));
    expect(400, call(userPort, HttpMethod.GET, "/api/users?limit=0", null));
    conditionalGet(userPort, "/api/users/" + userId);
    expect(404, call(userPort, HttpMethod.GET, "/api/users/not-an-id", null));

    String bob = expect(201, call(userPort, HttpMethod.POST, "/api/users",
        "{\"name\":\"Bob\",\"email\":\"bob@example.com\"}")).bodyAsJsonObject().getString("id");
    String path = "/api/users/" + bob;
    expect(200, call(userPort, HttpMethod.PUT, path, "{\"name\":\"Bobby\",\"email\":\"bob@example.com\"}"));
    expect(409, call(userPort, HttpMethod.PUT, path, "{\"name\":\"Bobby\",\"email\":\"ada@example.com\"}"));
    expect(400, call(userPort, HttpMethod.PUT, path, "{\"name\":7,\"email\":\"bob@example.com\"}"));
    expect(415, call(userPort, HttpMethod.PUT, path, "{}", TEXT));
    expect(413, call(userPort, HttpMethod.PUT, path, OVERSIZE));
    expect(404, call(userPort, HttpMethod.PUT, "/api/users/" + UNKNOWN_OBJECT_ID,
        "{\"name\":\"Nobody\",\"email\":\"nobody@example.com\"}"));
    expect(204, call(userPort, HttpMethod.DELETE, path, null));
    expect(404, call(userPort, HttpMethod.DELETE, path, null));
  }

  @Test
  @Order(2)
  void products() {
    productId = expect(201, call(productPort, HttpMethod.POST, "/api/products",
        "{\"name\":\"Difference Engine\",\"description\":\"Brass\",\"priceCents\":125000,\"stock\":5}"))
        .bodyAsJsonObject().getString("id");
    expect(400, call(productPort, HttpMethod.POST, "/api/products", "{\"name\":\"X\",\"priceCents\":1.5,\"stock\":1}"));
    expect(415, call(productPort, HttpMethod.POST, "/api/products", "{}", TEXT));
    expect(413, call(productPort, HttpMethod.POST, "/api/products", OVERSIZE));

    expect(200, call(productPort, HttpMethod.GET, "/api/products?limit=100", null));
    expect(400, call(productPort, HttpMethod.GET, "/api/products?offset=-1", null));
    conditionalGet(productPort, "/api/products/" + productId);
    expect(404, call(productPort, HttpMethod.GET, "/api/products/" + UNKNOWN_OBJECT_ID, null));

    String path = "/api/products/" + productId;
    expect(200, call(productPort, HttpMethod.PUT, path,
        "{\"name\":\"Difference Engine\",\"priceCents\":125000,\"stock\":5}"));
    expect(400, call(productPort, HttpMethod.PUT, path, "{\"name\":\"Y\",\"priceCents\":1,\"stock\":1,\"colour\":1}"));
    expect(415, call(productPort, HttpMethod.PUT, path, "{}", TEXT));
    expect(413, call(productPort, HttpMethod.PUT, path, OVERSIZE));
    expect(404, call(productPort, HttpMethod.PUT, "/api/products/nothing",
        "{\"name\":\"Y\",\"priceCents\":1,\"stock\":1}"));
    String spare = expect(201, call(productPort, HttpMethod.POST, "/api/products",
        "{\"name\":\"Spare\",\"priceCents\":1,\"stock\":1}")).bodyAsJsonObject().getString("id");
    expect(204, call(productPort, HttpMethod.DELETE, "/api/products/" + spare, null));
    expect(404, call(productPort, HttpMethod.DELETE, "/api/products/" + spare, null));
  }

  @Test
  @Order(3)
  void orders() {
    String body = order(userId, productId, 2);
    Map<String, String> key = Map.of("Idempotency-Key", "conformance-1");
    orderId = expect(201, call(orderPort, HttpMethod.POST, "/api/orders", body, key)).bodyAsJsonObject()
        .getString("id");
    HttpResponse<Buffer> replay = expect(201, call(orderPort, HttpMethod.POST, "/api/orders", body, key));
    assertEquals("true", replay.getHeader("Idempotent-Replayed"));
    expect(422, call(orderPort, HttpMethod.POST, "/api/orders", order(userId, productId, 1), key));
    expect(422, call(orderPort, HttpMethod.POST, "/api/orders", order(UNKNOWN_OBJECT_ID, productId, 1)));
    expect(422, call(orderPort, HttpMethod.POST, "/api/orders", order(userId, UNKNOWN_OBJECT_ID, 1)));
    HttpResponse<Buffer> short_ = expect(409, call(orderPort, HttpMethod.POST, "/api/orders",
        order(userId, productId, 1000)));
    assertEquals("insufficient_stock", short_.bodyAsJsonObject().getJsonObject("error").getString("code"));
    expect(400, call(orderPort, HttpMethod.POST, "/api/orders", "{\"userId\":\"" + userId + "\",\"items\":[]}"));
    expect(415, call(orderPort, HttpMethod.POST, "/api/orders", body, TEXT));
    expect(413, call(orderPort, HttpMethod.POST, "/api/orders", OVERSIZE));

    expect(200, call(orderPort, HttpMethod.GET, "/api/orders", null));
    expect(200, call(orderPort, HttpMethod.GET, "/api/orders?userId=" + userId + "&limit=5", null));
    expect(400, call(orderPort, HttpMethod.GET, "/api/orders?userId=someone", null));
    expect(200, call(orderPort, HttpMethod.GET, "/api/orders/" + orderId, null));
    expect(404, call(orderPort, HttpMethod.GET, "/api/orders/" + UUID.randomUUID(), null));
    expect(200, call(orderPort, HttpMethod.POST, "/api/orders/" + orderId + "/cancel", null));
    expect(200, call(orderPort, HttpMethod.POST, "/api/orders/" + orderId + "/cancel", null));
    expect(404, call(orderPort, HttpMethod.POST, "/api/orders/" + UUID.randomUUID() + "/cancel", null));
  }

  @Test
  @Order(4)
  void sharedRoutesAndTheGateway() {
    Map<Integer, Set<String>> ownPaths = Map.of(
        userPort, Set.of("/api/users", "/api/users/{id}"),
        productPort, Set.of("/api/products", "/api/products/{id}"),
        orderPort, Set.of("/api/orders", "/api/orders/{id}", "/api/orders/{id}/cancel"),
        gatewayPort, Set.of("/api/users", "/api/users/{id}", "/api/products", "/api/products/{id}", "/api/orders",
            "/api/orders/{id}", "/api/orders/{id}/cancel", "/api/services"));
    for (var entry : ownPaths.entrySet()) {
      int port = entry.getKey();
      expect(200, call(port, HttpMethod.GET, "/health/live", null));
      expect(200, call(port, HttpMethod.GET, "/health/ready", null));
      expect(200, call(port, HttpMethod.GET, "/metrics", null));
      JsonObject served = expect(200, call(port, HttpMethod.GET, "/openapi.json", null)).bodyAsJsonObject();
      Set<String> expected = new TreeSet<>(entry.getValue());
      expected.addAll(List.of("/health/live", "/health/ready", "/metrics", "/openapi.json"));
      assertEquals(expected, new TreeSet<>(served.getJsonObject("paths").fieldNames()), "paths served on " + port);
    }

    expect(200, call(gatewayPort, HttpMethod.GET, "/api/services?limit=2", null));
    expect(400, call(gatewayPort, HttpMethod.GET, "/api/services?limit=many", null));
    expect(200, call(gatewayPort, HttpMethod.GET, "/api/users/" + userId, null));
    expect(200, call(gatewayPort, HttpMethod.GET, "/api/orders?userId=" + userId, null));
    expect(415, call(gatewayPort, HttpMethod.POST, "/api/products", "{}", TEXT));
    HttpResponse<Buffer> none = expect(503, call(emptyGatewayPort, HttpMethod.GET, "/api/products", null));
    assertEquals("service_unavailable", none.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }

  @Test
  @Order(5)
  void unknownRoutesAndMethods() {
    for (int port : new int[] {userPort, productPort, orderPort, gatewayPort}) {
      api.checkUnrouted("NotFound", 404, JsonHttp.send(client, port, HttpMethod.GET, "/nothing/here", null));
      api.checkUnrouted("MethodNotAllowed", 405, JsonHttp.send(client, port, HttpMethod.POST, "/health/live", "{}"));
    }
    api.checkUnrouted("MethodNotAllowed", 405, JsonHttp.send(client, userPort, HttpMethod.DELETE, "/api/users", null));
    api.checkUnrouted("MethodNotAllowed", 405,
        JsonHttp.send(client, orderPort, HttpMethod.PATCH, "/api/orders/" + orderId, "{}"));
    api.checkUnrouted("NotFound", 404, JsonHttp.send(client, gatewayPort, HttpMethod.GET, "/api/usersx", null));
  }

  /** Last: PostgreSQL goes away for good, and the order service says so. */
  @Test
  @Order(6)
  void whenTheOrderStoreIsDown() throws Exception {
    postgres.close();
    postgres = null;
    AtomicReference<HttpResponse<Buffer>> last = new AtomicReference<>();
    assertTrue(Await.eventually(Duration.ofSeconds(30), () -> {
      last.set(call(orderPort, HttpMethod.GET, "/api/orders/" + orderId, null));
      return last.get().statusCode() == 503;
    }), () -> "503 once PostgreSQL is gone, got " + last.get().statusCode() + " " + last.get().bodyAsString());
    expect(503, call(orderPort, HttpMethod.POST, "/api/orders", order(userId, productId, 1)));
    expect(503, call(orderPort, HttpMethod.GET, "/health/ready", null));
  }

  @Test
  @Order(7)
  void everyOperationWasChecked() {
    assertEquals(api.operationIds(), api.checkedOperations());
    // Answers the description documents that no run here can provoke on purpose (internal errors, a service that
    // fails mid-answer or not in time, a duplicate still in flight) are listed in the test output.
    System.out.println("Documented answers not provoked here: " + api.unseenAnswers());
  }

  @Test
  @Order(8)
  void anAnswerThatDoesNotMatchIsCaught() {
    HttpResponse<Buffer> user = JsonHttp.send(client, userPort, HttpMethod.GET, "/api/users/" + userId, null);
    // A user is not an order: the validator must refuse it (else the checks above prove nothing).
    assertThrows(AssertionError.class, () -> api.check(HttpMethod.GET, "/api/orders/" + UUID.randomUUID(), user));
    HttpResponse<Buffer> notFound = JsonHttp.send(client, userPort, HttpMethod.GET, "/nothing", null);
    assertThrows(AssertionError.class, () -> api.check(HttpMethod.GET, "/api/users/" + userId, notFound));
  }

  /** GET of one document; when it carries an ETag, the same GET with If-None-Match must be 304. */
  private static void conditionalGet(int port, String path) {
    HttpResponse<Buffer> first = expect(200, call(port, HttpMethod.GET, path, null));
    String tag = first.getHeader("ETag");
    if (tag != null) {
      expect(304, call(port, HttpMethod.GET, path, null, Map.of("If-None-Match", tag)));
    }
  }

  private static String order(String user, String product, int quantity) {
    return "{\"userId\":\"" + user + "\",\"items\":[{\"productId\":\"" + product + "\",\"quantity\":" + quantity
        + "}]}";
  }

  private static HttpResponse<Buffer> call(int port, HttpMethod method, String path, String body) {
    return call(port, method, path, body, Map.of());
  }

  /** Sends the request and checks the answer against the description. */
  private static HttpResponse<Buffer> call(int port, HttpMethod method, String path, String body,
                                           Map<String, String> headers) {
    HttpResponse<Buffer> response = JsonHttp.send(client, port, method, path, body, headers);
    api.check(method, path, response);
    return response;
  }

  private static HttpResponse<Buffer> expect(int status, HttpResponse<Buffer> response) {
    assertEquals(status, response.statusCode(), response::bodyAsString);
    return response;
  }
}
