package com.reactiveshop.launcher;

import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.embedded.EmbeddedPostgres;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small model of the deployed topology: one process per service plus a second product process and the gateway,
 * all on one NATS, MongoDB and PostgreSQL. Orders flow through the gateway while one product process is killed.
 */
class MultiProcessIT {

  private static final int PRODUCTS = 3;
  private static final int INITIAL_STOCK = 1_000_000;
  /** Bounds the load: it runs for a while before and after the kill, and never places more than this. */
  private static final int MAX_ORDERS = 4_000;
  private static final long LOAD_BEFORE_KILL_MS = 2_000;
  private static final long LOAD_AFTER_KILL_MS = 6_000;

  private static EmbeddedNats nats;
  private static EmbeddedMongo mongo;
  private static EmbeddedPostgres postgres;
  private static final List<LauncherProcess> processes = new ArrayList<>();
  private static LauncherProcess productA;
  private static int gatewayPort;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void startTopology() throws Exception {
    nats = EmbeddedNats.start(0, null);
    mongo = EmbeddedMongo.inMemory();
    postgres = EmbeddedPostgres.start(null, 0, "order-service");
    Map<String, String> env = Map.of("NATS_URL", nats.url(), "MONGO_URI", mongo.uri(), "PG_URI", postgres.uri(),
        "DISCOVERY_TTL_SECONDS", "3", "ORDER_BREAKER_TIMEOUT_MS", "1500", "ORDER_BREAKER_RESET_MS", "1000",
        "ORDER_RELEASE_RETRY_INTERVAL_MS", "1000");
    productA = start("product-a", env, "product");
    start("product-b", env, "product");
    start("user", env, "user");
    start("order", env, "order");
    gatewayPort = LauncherProcess.freePort();
    Map<String, String> gatewayEnv = new HashMap<>(env);
    gatewayEnv.put("GATEWAY_HTTP_PORT", "" + gatewayPort);
    LauncherProcess gateway = LauncherProcess.start("gateway", gatewayEnv, "--services", "gateway");
    processes.add(gateway);
    gateway.awaitReady("http://127.0.0.1:" + gatewayPort + "/health/ready");
    awaitRecords(4);
  }

  private static LauncherProcess start(String name, Map<String, String> env, String service) throws Exception {
    int port = LauncherProcess.freePort();
    Map<String, String> processEnv = new HashMap<>(env);
    processEnv.put("HTTP_PORT", "" + port);
    LauncherProcess process = LauncherProcess.start(name, processEnv, "--services", service);
    processes.add(process);
    process.awaitReady("http://127.0.0.1:" + port + "/health/ready");
    return process;
  }

  @AfterAll
  static void stopTopology() throws Exception {
    for (LauncherProcess process : processes) {
      process.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  @Test
  void ordersKeepFlowingWhileAProductProcessDies() throws Exception {
    String userId = post("/api/users", new JsonObject().put("name", "Load").put("email", "load@example.com"))
        .getString("id");
    List<String> productIds = new ArrayList<>();
    for (int i = 0; i < PRODUCTS; i++) {
      productIds.add(post("/api/products", new JsonObject().put("name", "P" + i).put("priceCents", 100 + i)
          .put("stock", INITIAL_STOCK)).getString("id"));
    }
    assertProductRequestsReachBothProcesses(productIds);

    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    Set<String> orderIds = ConcurrentHashMap.newKeySet();
    AtomicInteger attempted = new AtomicInteger();
    AtomicInteger placedAfterKill = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      workers.add(clients.submit(() -> {
        while (!stop.get()) {
          int number = attempted.getAndIncrement();
          if (number >= MAX_ORDERS) {
            return null;
          }
          String id = placeUntilCreated(userId, productIds, number, statuses);
          orderIds.add(id);
          if (killed.get()) {
            placedAfterKill.incrementAndGet();
          }
        }
        return null;
      }));
    }
    Thread.sleep(LOAD_BEFORE_KILL_MS);
    productA.kill();
    killed.set(true);
    Thread.sleep(LOAD_AFTER_KILL_MS);
    stop.set(true);
    for (Future<?> worker : workers) {
      worker.get(5, TimeUnit.MINUTES);
    }
    clients.shutdown();
    int orders = Math.min(attempted.get(), MAX_ORDERS);

    System.out.println("orders: " + orders + ", placed after the kill: " + placedAfterKill.get()
        + ", answers by status: " + statuses);
    assertTrue(placedAfterKill.get() > 0, "orders kept succeeding after the kill");
    assertEquals(orders, orderIds.size(), "every order was made exactly once; statuses " + statuses);
    JsonObject all = get("/api/orders?limit=1");
    assertEquals(orders, all.getInteger("total"), "no duplicate orders; statuses " + statuses);
    assertStockAccountsForEveryOrder(productIds, userId);
    awaitRecords(3);
  }

  /** One order, retried on 503 with the same Idempotency-Key as a careful client does; returns its id. */
  private static String placeUntilCreated(String userId, List<String> productIds, int number,
                                          Map<Integer, Integer> statuses) throws Exception {
    String body = new JsonObject().put("userId", userId).put("items", new JsonArray().add(new JsonObject()
        .put("productId", productIds.get(number % PRODUCTS)).put("quantity", 1 + number % 3))).encode();
    for (int attempt = 0; attempt < 40; attempt++) {
      HttpResponse<String> response = send("POST", "/api/orders", body, "load-" + number);
      statuses.merge(response.statusCode(), 1, Integer::sum);
      if (response.statusCode() == 201) {
        return new JsonObject(response.body()).getString("id");
      }
      if (response.statusCode() != 503 && response.statusCode() != 409) {
        throw new AssertionError("unexpected " + response.statusCode() + " " + response.body());
      }
      Thread.sleep(250);
    }
    throw new AssertionError("order " + number + " never succeeded; statuses " + statuses);
  }

  /** Both product processes answer products.* (queue group q): each reports requests in $SRV.STATS. */
  private void assertProductRequestsReachBothProcesses(List<String> productIds) throws Exception {
    try (Connection client = Nats.connect(nats.url())) {
      String request = new JsonObject().put("ids", new JsonArray(productIds)).encode();
      for (int i = 0; i < 40; i++) {
        client.request("products.get", request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
      }
      String inbox = client.createInbox();
      Subscription replies = client.subscribe(inbox);
      client.publish("$SRV.STATS.product-service", inbox, new byte[0]);
      List<Long> counts = new ArrayList<>();
      for (Message reply = replies.nextMessage(Duration.ofSeconds(5)); reply != null && counts.size() < 2;
           reply = counts.size() < 1 ? replies.nextMessage(Duration.ofSeconds(5))
               : replies.nextMessage(Duration.ofSeconds(2))) {
        JsonObject stats = new JsonObject(new String(reply.getData(), StandardCharsets.UTF_8));
        long gets = stats.getJsonArray("endpoints").stream().map(JsonObject.class::cast)
            .filter(e -> "products.get".equals(e.getString("subject")))
            .mapToLong(e -> e.getLong("num_requests")).sum();
        counts.add(gets);
      }
      assertEquals(2, counts.size(), "two product-service instances answer $SRV.STATS");
      assertTrue(counts.stream().allMatch(c -> c > 0), "both instances served products.get: " + counts);
    }
  }

  /** For every product: initial stock = stock + units in confirmed orders (releases may still be retrying). */
  private void assertStockAccountsForEveryOrder(List<String> productIds, String userId) throws Exception {
    Map<String, Long> ordered = new HashMap<>();
    for (int offset = 0; ; offset += 100) {
      JsonArray page = get("/api/orders?userId=" + userId + "&limit=100&offset=" + offset).getJsonArray("items");
      if (page.isEmpty()) {
        break;
      }
      for (Object o : page) {
        JsonObject order = (JsonObject) o;
        assertEquals("CONFIRMED", order.getString("status"));
        for (Object i : order.getJsonArray("items")) {
          JsonObject item = (JsonObject) i;
          ordered.merge(item.getString("productId"), item.getLong("quantity"), Long::sum);
        }
      }
    }
    Map<String, Long> leftOver = new HashMap<>();
    for (int attempt = 0; attempt < 120; attempt++) {
      leftOver.clear();
      for (String id : productIds) {
        long stock = get("/api/products/" + id).getLong("stock");
        leftOver.put(id, INITIAL_STOCK - stock - ordered.getOrDefault(id, 0L));
      }
      if (leftOver.values().stream().allMatch(v -> v == 0)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("stock taken but not in a confirmed order, by product: " + leftOver);
  }

  private static void awaitRecords(int expected) throws Exception {
    int seen = -1;
    for (int attempt = 0; attempt < 120; attempt++) {
      seen = get("/api/services").getInteger("total");
      if (seen == expected) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("expected " + expected + " discovery records, saw " + seen);
  }

  private static JsonObject post(String path, JsonObject body) throws Exception {
    HttpResponse<String> response = send("POST", path, body.encode(), null);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static JsonObject get(String path) throws Exception {
    HttpResponse<String> response = send("GET", path, null, null);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> send(String method, String path, String body, String idempotencyKey)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
