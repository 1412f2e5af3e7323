package com.reactiveshop.launcher;

import com.reactiveshop.launcher.check.CheckOptions;
import com.reactiveshop.launcher.check.CheckReport;
import com.reactiveshop.launcher.check.InvariantChecker;
import com.reactiveshop.testing.faults.OrderLoad;
import com.reactiveshop.testing.faults.Processes;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the fault tests share: seeding a shop, the order load, the invariant check after a fault, the results file. */
final class FaultKit {

  static final int PRODUCTS = 3;
  static final long INITIAL_STOCK = 1_000_000;
  /** Releases are retried every second in these tests (the default is 5 s), so the system settles sooner. */
  static final Map<String, String> ORDER_TUNING = Map.of("ORDER_RELEASE_RETRY_INTERVAL_MS", "1000",
      "ORDER_BREAKER_RESET_MS", "2000", "DISCOVERY_TTL_SECONDS", "3");
  /** Longer than the release intent's grace (19 s) + a retry, and the sweeper's grace (15 s) + its interval (5 s). */
  static final Duration SETTLE = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private static final Path RESULTS = Path.of("target", "fault-results.txt");

  /** A user and {@link #PRODUCTS} products with {@link #INITIAL_STOCK} each. */
  record Shop(String userId, Map<String, Long> initialStock) {
    List<String> productIds() {
      return List.copyOf(initialStock.keySet());
    }
  }

  /** The ports and environment of an all-in-one launcher on free ports, with {@link #ORDER_TUNING}. */
  record AllInOne(int userPort, int productPort, int orderPort, Map<String, String> env) {
    static AllInOne onFreePorts() throws IOException {
      int user = LauncherProcess.freePort();
      int product = LauncherProcess.freePort();
      int order = LauncherProcess.freePort();
      Map<String, String> env = new HashMap<>(ORDER_TUNING);
      env.putAll(Map.of("USER_HTTP_PORT", "" + user, "PRODUCT_HTTP_PORT", "" + product,
          "ORDER_HTTP_PORT", "" + order, "GATEWAY_HTTP_PORT", "" + LauncherProcess.freePort()));
      return new AllInOne(user, product, order, Map.copyOf(env));
    }
  }

  private FaultKit() {
  }

  static Shop seed(int userPort, int productPort) throws Exception {
    String userId = created(send(userPort, "POST", "/api/users", new JsonObject().put("name", "Fault load")
        .put("email", "load-" + UUID.randomUUID() + "@example.com").encode()));
    Map<String, Long> stock = new LinkedHashMap<>();
    for (int i = 0; i < PRODUCTS; i++) {
      stock.put(created(send(productPort, "POST", "/api/products", new JsonObject().put("name", "Fault item " + i)
          .put("priceCents", 100 + i).put("stock", INITIAL_STOCK).encode())), INITIAL_STOCK);
    }
    return new Shop(userId, stock);
  }

  private static String created(HttpResponse<String> response) {
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  static HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Status of GET {@code path}, -1 when nothing answers. */
  static int status(int port, String path) {
    try {
      return send(port, "GET", path, null).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Four clients on the order service, every 10th acknowledged order cancelled. */
  static OrderLoad load(int orderPort, Shop shop, String name) {
    return OrderLoad.start(new OrderLoad.Settings("http://127.0.0.1:" + orderPort, shop.userId(), shop.productIds(),
        4, Duration.ofSeconds(20), 10, 50_000, Duration.ofMinutes(3), name + "-" + UUID.randomUUID()));
  }

  /**
   * The invariant check in settle mode, with the initial stock and every acknowledged order; fails the test with the
   * report when a violation is left (the report is printed either way).
   */
  static CheckReport assertInvariants(String fault, String mongoUri, String pgUri, String natsUrl, Shop shop,
                                      OrderLoad load, Map<String, String> env) throws Exception {
    Map<String, String> checkEnv = new LinkedHashMap<>(ORDER_TUNING);
    checkEnv.putAll(env);
    CheckOptions options = CheckOptions.fromEnv(checkEnv).withInitialStock(shop.initialStock())
        .withAcknowledged(load.acknowledged());
    long start = System.nanoTime();
    CheckReport report;
    try (InvariantChecker checker = InvariantChecker.connect(mongoUri, pgUri, natsUrl)) {
      report = checker.settle(options, SETTLE, Duration.ofSeconds(1));
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println("[" + fault + "] invariants after " + ms + " ms:\n" + report.format(30));
    assertTrue(report.ok(), fault + ": invariants violated:\n" + report.format(30)
        + "\nload: " + load.phases());
    assertTrue(load.anomalies().isEmpty(), fault + ": the clients saw anomalies: " + load.anomalies());
    return report;
  }

  /** Appends a line to target/fault-results.txt (the numbers behind RELIABILITY.md). */
  static void result(String fault, String text) {
    String line = Instant.now() + " " + fault + ": " + text + "\n";
    System.out.print(line);
    try {
      Files.createDirectories(RESULTS.getParent());
      Files.writeString(RESULTS, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // only a record
    }
  }

  /** The infrastructure a launcher printed in its summary: NATS, MongoDB, PostgreSQL URIs. */
  static Map<String, String> infrastructure(String output) {
    Map<String, String> found = new LinkedHashMap<>();
    for (String[] entry : List.of(new String[] {"NATS", "nats"}, new String[] {"MongoDB", "mongo"},
        new String[] {"PostgreSQL", "pg"})) {
      Matcher m = Pattern.compile("(?m)^  " + entry[0] + " +(\\S+)").matcher(output);
      String last = null;
      while (m.find()) {
        last = m.group(1);
      }
      if (last != null) {
        found.put(entry[1], last);
      }
    }
    return found;
  }

  /** A scratch directory under target/ (its path is unique, so processes can be found by it). */
  static Path scratch(String name) throws IOException {
    return Files.createDirectories(Path.of("target", "faults").toAbsolutePath())
        .resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * The end of a fault test: closes what it opened (nulls skipped, in the order given), kills every process still
   * mentioning {@code dataDir} (a launcher's embedded servers), deletes the directory; the processes it had to kill.
   */
  static List<String> cleanUp(Path dataDir, AutoCloseable... opened) throws Exception {
    for (AutoCloseable each : opened) {
      if (each != null) {
        each.close();
      }
    }
    if (dataDir == null) {
      return List.of();
    }
    List<String> leftovers = Processes.killAllMentioning(dataDir.toString());
    if (!leftovers.isEmpty()) {
      System.out.println("killed leftovers: " + leftovers);
    }
    deleteQuietly(dataDir);
    return leftovers;
  }

  static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
      for (Path path : paths) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          // best effort
        }
      }
    } catch (IOException e) {
      // best effort
    }
  }
}
