package com.reactiveshop.launcher;

import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.embedded.EmbeddedPostgres;
import com.reactiveshop.testing.faults.DelayingProxy;
import com.reactiveshop.testing.faults.OrderLoad;
import com.reactiveshop.testing.faults.Processes;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults of the infrastructure under a steady order load, with the services in child JVMs on EXTERNAL
 * infrastructure started here (so it can be killed and started again on the same port and data): nats-server killed
 * with SIGKILL and restarted, PostgreSQL stopped and started, the MongoDB-wire server stopped and started, and a
 * product service made slow by a delaying proxy between it and MongoDB, PostgreSQL paused and nats-server paused. Two
 * service processes: {@code product} (MongoDB through the proxy) and {@code user,order} (MongoDB directly). After each
 * fault: the invariant check in settle mode and "every acknowledged order exists".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InfrastructureFaultsIT {

  private static final long LOAD_BEFORE_MS = 2_000;
  private static final long OUTAGE_MS = 5_000;
  /** Long enough for requests waiting on the paused PostgreSQL to be given up on (3 s) and answered within it. */
  private static final long PAUSE_MS = 8_000;
  private static final long AFTER_RECOVERY_MS = 3_000;
  private static final long MAX_RECOVERY_MS = 30_000;
  private static final long BREAKER_TIMEOUT_MS = 2_000;
  /** What an order answer may take beyond the breaker timeout (its PostgreSQL writes, a busy machine). */
  private static final long LATENCY_MARGIN_MS = 1_000;

  private static Path dir;
  private static final List<EmbeddedNats> natsServers = new ArrayList<>();
  private static EmbeddedMongo mongo;
  private static EmbeddedPostgres postgres;
  private static Vertx vertx;
  private static DelayingProxy proxy;
  private static LauncherProcess productProcess;
  private static LauncherProcess userOrderProcess;
  private static int natsPort;
  private static int pgPort;
  private static int userPort;
  private static int productPort;
  private static int orderPort;
  private static Map<String, String> env;
  private static FaultKit.Shop shop;

  @BeforeAll
  static void startInfrastructureAndServices() throws Exception {
    dir = FaultKit.scratch("infra-faults");
    EmbeddedNats nats = EmbeddedNats.start(0, dir.resolve("nats"));
    natsServers.add(nats);
    natsPort = nats.port();
    mongo = EmbeddedMongo.start(dir.resolve("mongo").resolve("mongo.mv"), 0);
    postgres = EmbeddedPostgres.start(dir.resolve("postgres"), 0, "order-service");
    pgPort = postgres.port();
    vertx = Vertx.vertx();
    proxy = DelayingProxy.start(vertx, "127.0.0.1", mongo.port());

    env = new HashMap<>(FaultKit.ORDER_TUNING);
    env.putAll(Map.of("NATS_URL", nats.url(), "PG_URI", postgres.uri(),
        "ORDER_BREAKER_TIMEOUT_MS", "" + BREAKER_TIMEOUT_MS));
    productPort = LauncherProcess.freePort();
    Map<String, String> productEnv = new HashMap<>(env);
    productEnv.putAll(Map.of("MONGO_URI", "mongodb://127.0.0.1:" + proxy.port(), "HTTP_PORT", "" + productPort));
    productProcess = LauncherProcess.start("product", productEnv, "--services", "product");

    userPort = LauncherProcess.freePort();
    orderPort = LauncherProcess.freePort();
    Map<String, String> userOrderEnv = new HashMap<>(env);
    userOrderEnv.putAll(Map.of("MONGO_URI", mongo.uri(), "USER_HTTP_PORT", "" + userPort,
        "ORDER_HTTP_PORT", "" + orderPort));
    userOrderProcess = LauncherProcess.start("user-order", userOrderEnv, "--services", "user,order");

    productProcess.awaitReady("http://127.0.0.1:" + productPort + "/health/ready");
    userOrderProcess.awaitReady("http://127.0.0.1:" + orderPort + "/health/ready");
    userOrderProcess.awaitReady("http://127.0.0.1:" + userPort + "/health/ready");
    shop = FaultKit.seed(userPort, productPort);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (LauncherProcess process : new LauncherProcess[] {productProcess, userOrderProcess}) {
      if (process != null) {
        process.close();
      }
    }
    if (proxy != null) {
      proxy.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    for (EmbeddedNats nats : natsServers) {
      nats.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    FaultKit.cleanUp(dir);
  }

  @Test
  @Order(1)
  void natsServerKilledAndRestarted() throws Exception {
    try (OrderLoad load = FaultKit.load(orderPort, shop, "nats-kill")) {
      Thread.sleep(LOAD_BEFORE_MS);
      OrderLoad.Phase outage = load.phase("nats-down");
      Processes.killTrees(List.of(natsServerProcess()));
      Thread.sleep(OUTAGE_MS);

      // The phase starts as the server is started again: time to the first 201 includes nats-server's own start.
      OrderLoad.Phase back = load.phase("nats-back");
      long backAt = System.nanoTime();
      natsServers.add(EmbeddedNats.start(natsPort, dir.resolve("nats")));
      long serverStartMs = (System.nanoTime() - backAt) / 1_000_000;
      long first201 = awaitFirst201(load, back);
      long readyMs = awaitAll(backAt, port -> FaultKit.status(port, "/health/ready") == 200,
          productPort, userPort, orderPort);
      Set<String> answering = microServicesAnswering();
      Thread.sleep(AFTER_RECOVERY_MS);
      load.stop();

      FaultKit.result("nats-kill", "restart of nats-server to first 201: " + first201 + " ms (the server's own start"
          + " took " + serverStartMs + " ms); every service ready after " + readyMs + " ms; NATS micro services"
          + " answering $SRV.PING: " + answering + "; statuses " + load.statuses() + "; phases " + load.phases());
      assertTrue(first201 >= 0, "orders succeed again after nats-server is back: " + load.phases());
      assertEquals(Set.of("order-service", "product-service", "user-service"), answering);
      assertOnly(outage, backAt, Set.of(503), Set.of(200, 503), "while nats-server was down");
      FaultKit.assertInvariants("nats-kill", mongo.uri(), postgres.uri(), "nats://127.0.0.1:" + natsPort, shop, load,
          env);
    }
  }

  @Test
  @Order(2)
  void postgresStoppedAndStarted() throws Exception {
    try (OrderLoad load = FaultKit.load(orderPort, shop, "pg-stop")) {
      Thread.sleep(LOAD_BEFORE_MS);
      postgres.close();
      OrderLoad.Phase outage = load.phase("pg-down");
      Thread.sleep(OUTAGE_MS);
      int readyDuring = FaultKit.status(orderPort, "/health/ready");

      long restartAt = System.nanoTime();
      postgres = EmbeddedPostgres.start(dir.resolve("postgres"), pgPort, "order-service");
      OrderLoad.Phase back = load.phase("pg-back");
      long first201 = awaitFirst201(load, back);
      Thread.sleep(AFTER_RECOVERY_MS);
      load.stop();

      FaultKit.result("pg-stop", "order service ready during the outage: " + readyDuring + "; server back to first"
          + " 201: " + first201 + " ms; statuses " + load.statuses() + "; phases " + load.phases());
      assertEquals(503, readyDuring, "the order service is not ready while PostgreSQL is down");
      assertTrue(first201 >= 0, "orders resume by themselves: " + load.phases());
      assertOnly(outage, restartAt, Set.of(503), Set.of(503), "while PostgreSQL was down");
      assertEquals(0, outage.unavailableWithoutRetryAfter(), "every 503 has Retry-After");
      FaultKit.assertInvariants("pg-stop", mongo.uri(), postgres.uri(), "nats://127.0.0.1:" + natsPort, shop, load,
          env);
    }
  }

  @Test
  @Order(3)
  void mongoStoppedAndStarted() throws Exception {
    try (OrderLoad load = FaultKit.load(orderPort, shop, "mongo-stop")) {
      Thread.sleep(LOAD_BEFORE_MS);
      mongo.stop();
      OrderLoad.Phase outage = load.phase("mongo-down");
      Thread.sleep(OUTAGE_MS);
      int productReadyDuring = FaultKit.status(productPort, "/health/ready");

      long restartAt = System.nanoTime();
      mongo.restart();
      OrderLoad.Phase back = load.phase("mongo-back");
      long first201 = awaitFirst201(load, back);
      Thread.sleep(AFTER_RECOVERY_MS);
      load.stop();

      FaultKit.result("mongo-stop", "product service ready during the outage: " + productReadyDuring + "; server"
          + " back to first 201: " + first201 + " ms; statuses " + load.statuses() + "; phases " + load.phases());
      assertEquals(503, productReadyDuring, "the product service is not ready while MongoDB is down");
      assertTrue(first201 >= 0, "orders resume by themselves: " + load.phases());
      // A cancel needs only PostgreSQL: it succeeds, and its release waits for the product service.
      assertOnly(outage, restartAt, Set.of(503), Set.of(200, 503), "while MongoDB was down");
      assertEquals(0, outage.unavailableWithoutRetryAfter(), "every 503 has Retry-After");
      FaultKit.assertInvariants("mongo-stop", mongo.uri(), postgres.uri(), "nats://127.0.0.1:" + natsPort, shop, load,
          env);
    }
  }

  @Test
  @Order(4)
  void slowProductService() throws Exception {
    try (OrderLoad load = FaultKit.load(orderPort, shop, "slow-product")) {
      Thread.sleep(LOAD_BEFORE_MS);
      proxy.delay(Duration.ofSeconds(3));
      OrderLoad.Phase slow = load.phase("product-slow");
      boolean opened = false;
      long slowUntil = System.nanoTime() + 8_000_000_000L;
      while (System.nanoTime() < slowUntil) {
        opened |= productBreakerOpen();
        Thread.sleep(250);
      }
      proxy.delay(Duration.ZERO);
      OrderLoad.Phase fast = load.phase("product-fast-again");
      long first201 = awaitFirst201(load, fast);
      Thread.sleep(AFTER_RECOVERY_MS);
      load.stop();

      long slowest = slow.maxLatencyMs().values().stream().mapToLong(Long::longValue).max().orElse(0);
      OrderLoad.Phase before = load.phases().get(0);
      FaultKit.result("slow-product", "product breaker seen OPEN: " + opened + "; slowest answer while slow "
          + slowest + " ms (breaker timeout " + BREAKER_TIMEOUT_MS + " ms); delay off to first 201: " + first201
          + " ms (slowest answer to a request sent just before the delay: " + before.maxLatencyMs() + "); statuses "
          + load.statuses() + "; phases " + load.phases());
      assertTrue(opened, "the order service's product breaker opened: " + load.phases());
      assertOnly(slow, Long.MAX_VALUE, Set.of(201, 503), Set.of(200, 503), "while the product service was slow");
      assertTrue(slow.statuses().getOrDefault(503, 0) > 0, "503s while slow: " + slow);
      assertEquals(0, slow.unavailableWithoutRetryAfter(), "every 503 has Retry-After");
      assertTrue(first201 >= 0, "orders succeed again when the delay goes: " + load.phases());
      FaultKit.assertInvariants("slow-product", mongo.uri(), postgres.uri(), "nats://127.0.0.1:" + natsPort, shop,
          load, env);
      // Last, so that the invariants are checked either way.
      assertTrue(slowest <= BREAKER_TIMEOUT_MS + LATENCY_MARGIN_MS, "no order answer later than the breaker"
          + " timeout (" + BREAKER_TIMEOUT_MS + " ms) + " + LATENCY_MARGIN_MS + " ms while the product service is"
          + " slow; slowest " + slowest + " ms: " + slow + "; slow answers: " + slow.answers().stream()
          .filter(a -> a.latencyMs() > BREAKER_TIMEOUT_MS + LATENCY_MARGIN_MS).toList());
    } finally {
      proxy.delay(Duration.ZERO);
    }
  }

  /**
   * PostgreSQL paused (SIGSTOP to the server and its backends, as {@code docker pause} does): connections stay open
   * and nothing answers, so neither a refused connection nor the server's statement timeout can end a request.
   * Orders and cancels must still be answered 503 while it lasts, and resume when it is over.
   */
  @Test
  @Order(5)
  void postgresPausedAndResumed() throws Exception {
    List<ProcessHandle> server = List.of(Processes.postmaster(postgres.dataDirectory()));
    assertTrue(server.get(0).isAlive(), "the postmaster of " + postgres.dataDirectory() + " runs");
    try (OrderLoad load = FaultKit.load(orderPort, shop, "pg-pause")) {
      Pause pause = pauseUnderLoad(load, "pg", server);
      FaultKit.result("pg-pause", "order service ready during the pause: " + pause.readyDuring()
          + "; resumed to first 201: " + pause.first201() + " ms; statuses " + load.statuses() + "; phases "
          + load.phases());
      assertEquals(503, pause.readyDuring(), "the order service is not ready while PostgreSQL does not answer");
      assertTrue(pause.first201() >= 0, "orders resume by themselves: " + load.phases());
      assertOnly(pause.paused(), pause.resumeAt(), Set.of(503), Set.of(503), "while PostgreSQL was paused");
      assertEquals(0, pause.paused().unavailableWithoutRetryAfter(), "every 503 has Retry-After");
      FaultKit.assertInvariants("pg-pause", mongo.uri(), postgres.uri(), "nats://127.0.0.1:" + natsPort, shop, load,
          env);
    }
  }

  /**
   * nats-server paused (SIGSTOP, as {@code docker pause} does): connections stay open and nothing answers, so no
   * client notices a disconnect. Orders must still be answered within the NATS timeout (503: the user or product
   * service is not answering), and resume when it is over; events published late still arrive, once each.
   */
  @Test
  @Order(6)
  void natsServerPausedAndResumed() throws Exception {
    List<ProcessHandle> server = List.of(natsServerProcess());
    try (OrderLoad load = FaultKit.load(orderPort, shop, "nats-pause")) {
      Pause pause = pauseUnderLoad(load, "nats", server);
      long slowest = pause.paused().maxLatencyMs().values().stream().mapToLong(Long::longValue).max().orElse(0);
      FaultKit.result("nats-pause", "order service ready during the pause: " + pause.readyDuring()
          + "; slowest answer during the pause " + slowest + " ms; resumed to first 201: " + pause.first201()
          + " ms; statuses " + load.statuses() + "; phases " + load.phases());
      assertEquals(503, pause.readyDuring(), "the order service is not ready while nats-server does not answer");
      assertTrue(pause.first201() >= 0, "orders resume by themselves: " + load.phases());
      // A cancel needs PostgreSQL only; its release waits for the product service.
      assertOnly(pause.paused(), pause.resumeAt(), Set.of(503), Set.of(200, 503), "while nats-server was paused");
      assertEquals(0, pause.paused().unavailableWithoutRetryAfter(), "every 503 has Retry-After");
      FaultKit.assertInvariants("nats-pause", mongo.uri(), postgres.uri(), "nats://127.0.0.1:" + natsPort, shop,
          load, env);
      // Last, so that the invariants are checked either way.
      assertTrue(slowest <= BREAKER_TIMEOUT_MS + LATENCY_MARGIN_MS, "no answer later than the NATS timeout ("
          + BREAKER_TIMEOUT_MS + " ms) + " + LATENCY_MARGIN_MS + " ms while nats-server was paused; slowest "
          + slowest + " ms: " + pause.paused());
    }
  }

  /** What a pause under load showed: its phase, when it ended, readiness during it, the first 201 after it. */
  private record Pause(OrderLoad.Phase paused, long resumeAt, int readyDuring, long first201) {
  }

  /**
   * Under {@code load}: a while of load, then {@code server} paused (SIGSTOP) for {@link #PAUSE_MS} and resumed
   * (SIGCONT), then the first 201 and a little more; the load is stopped. The paused phase starts after the STOP: a
   * request sent just before may still have been answered meanwhile (a cancel that committed answers 200 once its
   * clean-up gives up waiting), and that answer belongs to the phase before.
   */
  private static Pause pauseUnderLoad(OrderLoad load, String name, List<ProcessHandle> server) throws Exception {
    Thread.sleep(LOAD_BEFORE_MS);
    Processes.signalTrees("STOP", server);
    OrderLoad.Phase paused;
    int readyDuring;
    long resumeAt;
    try {
      paused = load.phase(name + "-paused");
      Thread.sleep(PAUSE_MS);
      readyDuring = FaultKit.status(orderPort, "/health/ready");
    } finally {
      resumeAt = System.nanoTime();
      Processes.signalTrees("CONT", server);
    }
    long first201 = awaitFirst201(load, load.phase(name + "-resumed"));
    Thread.sleep(AFTER_RECOVERY_MS);
    load.stop();
    return new Pause(paused, resumeAt, readyDuring, first201);
  }

  /** nats-server itself, not the wrapper that watches this JVM for it (whose arguments name the directory too). */
  private static ProcessHandle natsServerProcess() {
    Map<ProcessHandle, String> server = new HashMap<>(Processes.mentioning(dir.resolve("nats").toString()));
    server.values().removeIf(command -> !command.startsWith("nats-server"));
    assertEquals(1, server.size(), "one nats-server serves " + dir.resolve("nats") + ": " + server);
    return server.keySet().iterator().next();
  }

  /** Milliseconds from the start of {@code phase} to its first 201 (bounded wait); -1 if none came. */
  private static long awaitFirst201(OrderLoad load, OrderLoad.Phase phase) throws InterruptedException {
    long until = System.nanoTime() + MAX_RECOVERY_MS * 1_000_000;
    while (phase.msToFirst201() < 0 && System.nanoTime() < until && load.running()) {
      Thread.sleep(20);
    }
    return phase.msToFirst201();
  }

  /** Milliseconds from {@code since} until {@code ok} holds for every port (bounded); -1 if it never did. */
  private static long awaitAll(long since, IntPredicate ok, int... ports) throws InterruptedException {
    long until = System.nanoTime() + MAX_RECOVERY_MS * 1_000_000;
    while (System.nanoTime() < until) {
      boolean all = true;
      for (int port : ports) {
        all &= ok.test(port);
      }
      if (all) {
        return (System.nanoTime() - since) / 1_000_000;
      }
      Thread.sleep(100);
    }
    return -1;
  }

  /** The NATS micro services that answer {@code $SRV.PING} (each service's endpoints are registered again). */
  private static Set<String> microServicesAnswering() throws Exception {
    Set<String> names = new TreeSet<>();
    try (Connection client = Nats.connect("nats://127.0.0.1:" + natsPort)) {
      for (int round = 0; round < 20 && names.size() < 3; round++) {
        String inbox = client.createInbox();
        Subscription replies = client.subscribe(inbox);
        client.publish("$SRV.PING", inbox, new byte[0]);
        for (Message reply = replies.nextMessage(Duration.ofSeconds(1)); reply != null;
             reply = replies.nextMessage(Duration.ofMillis(300))) {
          names.add(new JsonObject(new String(reply.getData(), StandardCharsets.UTF_8)).getString("name"));
        }
        replies.unsubscribe();
      }
    }
    return names;
  }

  private static boolean productBreakerOpen() {
    try {
      JsonObject ready = new JsonObject(FaultKit.send(orderPort, "GET", "/health/ready", null).body());
      for (Object check : ready.getJsonArray("checks", new JsonArray())) {
        JsonObject entry = (JsonObject) check;
        if ("circuit-breakers".equals(entry.getString("name"))) {
          for (Object breaker : entry.getJsonArray("breakers", new JsonArray())) {
            JsonObject b = (JsonObject) breaker;
            if ("product-service".equals(b.getString("name")) && "OPEN".equals(b.getString("state"))) {
              return true;
            }
          }
        }
      }
    } catch (Exception e) {
      // not answering: not seen open
    }
    return false;
  }

  /**
   * Answers to requests sent in {@code phase} that came before {@code untilNanos} (while the fault lasted) all have an
   * allowed status: orders in {@code orders}, cancels in {@code cancels}. A request sent during an outage may wait
   * (the drivers wait up to 2 s for a server) and succeed once the server is back: that answer is not constrained.
   */
  private static void assertOnly(OrderLoad.Phase phase, long untilNanos, Set<Integer> orders, Set<Integer> cancels,
                                 String when) {
    List<OrderLoad.Record> during = phase.answeredBefore(untilNanos);
    List<OrderLoad.Record> offending = during.stream()
        .filter(a -> !(a.order() ? orders : cancels).contains(a.status())).toList();
    assertTrue(offending.isEmpty(), "only orders " + orders + " and cancels " + cancels + " " + when + ", but saw "
        + offending + "\nall answers of " + phase + ": " + phase.answers());
    assertTrue(!during.isEmpty(), "requests were answered " + when + ": " + phase);
  }
}
