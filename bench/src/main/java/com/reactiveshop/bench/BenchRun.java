package com.reactiveshop.bench;

import com.reactiveshop.bench.Report.Verdict;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark run against a system that {@code bench/run.sh} started: seeds it, measures the ceilings and the
 * scenarios in one go (each bounded in time), and writes the table, the JSON and the chart. Every throughput is
 * reported as a ratio to a ceiling measured in the same run, because absolute figures on a shared machine drift.
 */
final class BenchRun {

  static final int USERS = 20;
  static final int PRODUCTS = 100;
  static final int STOCK = 1_000_000;
  static final int FLASH_STOCK = 50;
  static final int FLASH_BUYERS = 200;
  static final int FLASH_ROUNDS = 5;
  static final double OPEN_LOOP_P99_TARGET_MS = 50;
  /** The order path's warm-up lasts until the JIT compiler settles, or this long ({@link CompiledWarmUp}). */
  static final int MAX_ORDER_WARMUP_SECONDS = 90;
  /**
   * The open loop's warm-up at its rate lasts until the JIT compiler settles again, or this long. Going from the
   * closed loop (64 requests always in flight, large store batches) to a steady rate (idle moments, batches of one or
   * two) takes branches the compiled code had never seen: the compiler threads then used 40 to 60 % of a core for
   * about 8 s, and the first seconds' slowest answers were 100 to 570 ms even at 300 orders/s.
   */
  static final int MAX_OPEN_LOOP_WARMUP_SECONDS = 60;
  static final double FLASH_WALL_TARGET_MS = 300;
  static final double MONGO_TARGET = 3;
  static final double PG_TARGET = 1;
  static final double PG_TOLERANCE = 1.1;
  /** Fewer orders than this between the two mid-run readings give no steady-state figure (too coarse). */
  static final long MIN_STEADY_ORDERS = 50;

  private final BenchConfig config;
  private final Report report = new Report();
  private final String runId = Long.toString(System.currentTimeMillis(), 36);
  private final List<String> users = new ArrayList<>();
  private final List<String> products = new ArrayList<>();
  /** Every product this run created, with the stock it started with (for the consistency check). */
  private final Map<String, Long> initialStock = new LinkedHashMap<>();

  private Vertx vertx;
  private Http http;
  private Wrk wrk;

  BenchRun(BenchConfig config) {
    this.config = config;
  }

  int run() throws Exception {
    Files.createDirectories(config.results());
    vertx = Vertx.vertx();
    http = new Http(vertx, 8);
    wrk = new Wrk(config.benchDir(), config.wrkThreads(), config.connections(), config.results());
    JsonObject json = report.json();
    json.put("run", new JsonObject().put("date", Instant.now().toString()).put("secondsPerScenario", config.seconds())
        .put("warmupSeconds", config.warmupSeconds()).put("connections", config.connections())
        .put("wrkThreads", config.wrkThreads()).put("natsInFlight", config.inFlight())
        .put("cores", Runtime.getRuntime().availableProcessors()).put("java", System.getProperty("java.version"))
        .put("profile", config.profile()));
    json.put("targets", new JsonObject().put("openLoopP99Ms", OPEN_LOOP_P99_TARGET_MS)
        .put("flashMedianWallMs", FLASH_WALL_TARGET_MS).put("mongoCommandsPerOrder", MONGO_TARGET)
        .put("pgTransactionsPerOrder", PG_TARGET).put("pgTransactionsPerOrderPassAtMost", PG_TOLERANCE));
    try {
      startTime();
      seed();
      httpScenarios();
      orderScenarios();
      natsScenarios();
    } catch (Exception e) {
      report.error("run", e);
    } finally {
      String subtitle = "wrk -t" + config.wrkThreads() + " -c" + config.connections() + ", " + config.seconds() + " s";
      report.json().getJsonObject("run").put("subtitle", subtitle);
      report.write(config.results());
      System.out.println();
      System.out.println("== results (" + subtitle + "; NATS window " + config.inFlight() + "; ratios to ceilings"
          + " measured in this run, before and after)");
      System.out.print(report.table());
      System.out.println("written: " + config.results().resolve("results.json") + ", table.md, chart.png");
      http.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    return report.failed() ? 1 : 0;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void startTime() {
    double ms = config.startMs();
    report.json().put("startMs", ms < 0 ? null : ms);
    report.row("start: java -jar to every /health/ready 200", ms < 0 ? "n/a" : String.format("%.0f ms", ms), "", "",
        "", Verdict.INFO);
  }

  private void seed() {
    step("seeding " + USERS + " users and " + PRODUCTS + " products (stock " + STOCK + ")");
    List<Future<Http.Answer>> calls = new ArrayList<>();
    for (int i = 1; i <= USERS; i++) {
      calls.add(post(config.userUrl() + "/api/users", new JsonObject().put("name", "Bench user " + i)
          .put("email", "bench-" + runId + "-" + i + "@example.com")));
    }
    for (int i = 1; i <= PRODUCTS; i++) {
      calls.add(post(config.productUrl() + "/api/products", new JsonObject().put("name", "Bench product " + i)
          .put("description", "seeded by bench/run.sh").put("priceCents", 100 * i).put("stock", STOCK)));
    }
    Http.await(Future.join(calls), 120);
    for (int i = 0; i < calls.size(); i++) {
      Http.Answer answer = calls.get(i).result();
      if (answer.status() != 201) {
        throw new IllegalStateException("seeding answered " + answer.status() + ": " + answer.body());
      }
      String id = answer.json().getString("id");
      if (i < USERS) {
        users.add(id);
      } else {
        products.add(id);
        initialStock.put(id, (long) STOCK);
      }
    }
  }

  private Future<Http.Answer> post(String url, JsonObject body) {
    return http.send(HttpMethod.POST, url, MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"),
        body.toBuffer());
  }

  // ---------------------------------------------------------------------------------------------------------------

  private Measurement postOrders;

  /** A scenario to run between two runs of its ceiling. */
  private record Paired(String name, String chartName, String rowName, Scenario scenario) {
  }

  /**
   * The HTTP scenarios, each between two runs of the hello ceiling (hello, GET product, hello, GET user, hello, ...,
   * POST order, hello): a scenario's ceiling is the mean of the two runs around it, so drift of the shared machine
   * between scenarios does not bend their ratios.
   */
  private void httpScenarios() throws Exception {
    int port = freePort();
    String helloUrl = "http://127.0.0.1:" + port;
    List<String> productIds = List.of("/api/products/", String.join(",", products));
    List<String> userIds = List.of("/api/users/", String.join(",", users));
    List<Paired> paired = new ArrayList<>();
    paired.add(new Paired("GET /api/products/{id}", "GET product", "GET /api/products/{id} (wrk)",
        () -> wrkRun("get-product", config.productUrl(), "get-by-id.lua", productIds, config.warmupSeconds())));
    paired.add(new Paired("GET /api/users/{id}", "GET user", "GET /api/users/{id} (wrk)",
        () -> wrkRun("get-user", config.userUrl(), "get-by-id.lua", userIds, config.warmupSeconds())));
    if (config.gatewayUrl() != null) {
      paired.add(new Paired("GET /api/products/{id} via gateway", "GET product via gateway",
          "GET /api/products/{id} via gateway (wrk)", () -> wrkRun("get-product-gateway", config.gatewayUrl(),
          "get-by-id.lua", productIds, config.warmupSeconds())));
    }
    paired.add(new Paired("POST /api/orders", "POST order", "POST /api/orders (wrk, 1 unit, unique key)",
        this::postOrderScenario));
    List<Measurement> ceilings = new ArrayList<>();
    List<Measurement> results = new ArrayList<>();
    try (Child hello = Child.start("hello-server", config.results().resolve("hello-server.log"), "hello-server",
        "--port", String.valueOf(port))) {
      ceilings.add(scenario("ceiling: bare Vert.x hello #1", () -> wrkRun("hello-1", helloUrl, "get-by-id.lua",
          productIds, config.warmupSeconds())));
      for (int i = 0; i < paired.size(); i++) {
        results.add(scenario(paired.get(i).name(), paired.get(i).scenario()));
        int n = i + 2;
        ceilings.add(scenario("ceiling: bare Vert.x hello #" + n, () -> wrkRun("hello-" + n, helloUrl,
            "get-by-id.lua", productIds, 1)));
      }
    }
    postOrders = results.get(results.size() - 1);
    report.json().put("httpCeiling", ceilingJson(ceilings));
    report.row("ceiling: bare Vert.x hello (wrk, " + ceilings.size() + " runs)", ceilingText(ceilings), "", "", "",
        Verdict.INFO);
    JsonObject scenarios = new JsonObject();
    for (int i = 0; i < paired.size(); i++) {
      Paired p = paired.get(i);
      Measurement m = results.get(i);
      if (m == null) {
        continue;
      }
      double ceiling = Stats.meanOfKnown(rate(ceilings.get(i)), rate(ceilings.get(i + 1)));
      double ratio = Stats.ratio(m.perSecond(), ceiling);
      scenarios.put(p.name(), m.toJson().put("ceilingPerSecond", Json.num(ceiling)).put("ratio", Json.num(ratio)));
      boolean post = p.name().startsWith("POST");
      boolean ok = post ? m.statusRange(500, 600) == 0 && m.errorCount() == 0
          : m.statusRange(200, 300) == m.answers() && m.errorCount() == 0;
      report.row(p.rowName(), throughput(m), fmtRate(ceiling), fmtRatio(ratio), post ? "no 5xx, no errors" : "all 200",
          ok ? Verdict.PASS : Verdict.FAIL);
      if (post) {
        storeRows();
      }
    }
    report.json().put("http", scenarios);
  }

  private static JsonObject ceilingJson(List<Measurement> runs) {
    JsonArray array = new JsonArray();
    List<Double> rates = new ArrayList<>();
    for (Measurement m : runs) {
      array.add(m == null ? null : m.toJson());
      if (m != null) {
        rates.add(m.perSecond());
      }
    }
    return new JsonObject().put("medianPerSecond", Json.num(Stats.median(rates))).put("runs", array);
  }

  private static String ceilingText(List<Measurement> runs) {
    List<Double> rates = runs.stream().filter(Objects::nonNull).map(Measurement::perSecond).toList();
    if (rates.isEmpty()) {
      return "n/a";
    }
    StringBuilder each = new StringBuilder();
    for (Measurement m : runs) {
      each.append(each.length() == 0 ? "" : ", ").append(m == null ? "n/a" : String.format("%.0f", m.perSecond()));
    }
    return String.format("median %.0f req/s; runs %s", Stats.median(rates), each);
  }

  /** POST /api/orders with wrk, the store counters around it and, with --profile, a JFR recording. */
  private Measurement postOrderScenario() throws Exception {
    List<String> args = List.of(String.join(",", users), String.join(",", products));
    ProcCpu cpu = new ProcCpu(config.systemPid(), config.dataDir());
    int round = Math.max(5, config.warmupSeconds());
    step("POST /api/orders: warm-up in rounds of " + round + " s until the JIT compiler has settled (at most "
        + MAX_ORDER_WARMUP_SECONDS + " s)");
    CompiledWarmUp.Outcome warmUp = CompiledWarmUp.run(cpu::jvm, round, MAX_ORDER_WARMUP_SECONDS,
        seconds -> wrk.run("post-order-warmup", config.orderUrl(), "post-order.lua", seconds, args));
    report.json().put("postOrderWarmUp", warmUp.toJson());
    storeRows.add(new Report.Row("POST /api/orders warm-up", warmUp.text(), "", "", "", Verdict.INFO));
    waitQuiet("after the warm-up");
    try (StoreCounters counters = new StoreCounters(vertx, config.mongoUri(), config.pgUri())) {
      long ordersBefore = ordersTotal();
      StoreCounters.Snapshot s0 = counters.read();
      Map<String, Double> cpu0 = cpu.read(Map.of());
      ProcCpu.JvmCpu jvm0 = cpu.jvm();
      Path jfr = config.results().resolve("post-order.jfr");
      if (config.profile()) {
        Profiler.start(config.systemPid(), jfr);
      }
      step("POST /api/orders: " + config.seconds() + " s, wrk -t" + config.wrkThreads() + " -c" + config.connections());
      long started = System.nanoTime();
      Process process = wrk.start("post-order", config.orderUrl(), "post-order.lua", config.seconds(), args);
      // Steady-state readings in the middle of the run: PostgreSQL 14 sends a backend's statistics at most every
      // 500 ms and an idle backend keeps what it has not sent, so a reading long after the run can miss some.
      sleepUntil(started, config.seconds() * 250L);
      long orders1 = ordersTotal();
      StoreCounters.Snapshot s1 = counters.read();
      sleepUntil(started, config.seconds() * 750L);
      long orders2 = ordersTotal();
      StoreCounters.Snapshot s2 = counters.read();
      Measurement m = wrk.finish("post-order", process, config.seconds());
      System.out.println("   " + throughput(m));
      if (config.profile()) {
        Profiler.stop(config.systemPid());
      }
      waitQuiet("after POST /api/orders");
      Thread.sleep(1500); // PostgreSQL's statistics collector lags up to 500 ms
      StoreCounters.Snapshot s3 = counters.read();
      Map<String, Double> cpu1 = cpu.read(Map.of());
      ProcCpu.JvmCpu jvm1 = cpu.jvm();
      long ordersAfter = ordersTotal();
      storeCounters(s0, s3, ordersAfter - ordersBefore, s1, s2, orders2 - orders1, m);
      cpuRow(ProcCpu.delta(cpu0, cpu1), jvm1.jit() - jvm0.jit(), ordersAfter - ordersBefore);
      if (config.profile()) {
        JsonObject summary = Profiler.summarise(jfr, 8);
        report.json().put("profile", summary.put("file", jfr.toString()));
        String text = Profiler.text(summary);
        Files.writeString(config.results().resolve("profile.txt"), text);
        System.out.print(text);
      }
      return m;
    }
  }

  private JsonObject stores;
  private final List<Report.Row> storeRows = new ArrayList<>();

  /**
   * The embedded MongoDB-wire server's durable commits during the POST scenario: how many writes share one, and how
   * long one takes (a write waits for at least one whole commit before it is answered).
   */
  private void durableCommits(StoreCounters.Snapshot before, StoreCounters.Snapshot after, long orders,
                              JsonObject mongo) {
    Map<String, Long> b = before.mongoGroupCommit();
    Map<String, Long> a = after.mongoGroupCommit();
    if (b == null || a == null || !a.containsKey("commitMillis") || !b.containsKey("commitMillis")) {
      return;
    }
    long writes = a.get("writes") - b.get("writes");
    long commits = a.get("commits") - b.get("commits");
    long millis = a.get("commitMillis") - b.get("commitMillis");
    if (commits <= 0) {
      return;
    }
    double perCommit = (double) millis / commits;
    mongo.put("durableCommits", new JsonObject().put("writes", writes).put("commits", commits)
        .put("commitMillis", millis).put("writesPerCommit", Json.num((double) writes / commits))
        .put("msPerCommit", Json.num(perCommit)).put("commitsPerOrder", Json.num(Stats.perOrder(commits, orders))));
    storeRows.add(new Report.Row("MongoDB durable commits (embedded server)", String.format(
        "%.2f per order, %.1f writes each, %.2f ms each", Stats.perOrder(commits, orders), (double) writes / commits,
        perCommit), "", "", "", Verdict.INFO));
  }

  private void storeCounters(StoreCounters.Snapshot before, StoreCounters.Snapshot after, long orders,
                             StoreCounters.Snapshot mid1, StoreCounters.Snapshot mid2, long midOrders, Measurement m) {
    stores = new JsonObject().put("ordersCreated", orders).put("answered201", m.status("201"))
        .put("steadyWindowOrders", midOrders);
    // MongoDB
    JsonObject mongo = new JsonObject();
    double perOrder = Double.NaN;
    double steady = Double.NaN;
    String breakdown = "";
    if (before.mongoByCommand() != null && after.mongoByCommand() != null) {
      Map<String, Long> deltas = Stats.commandDeltas(before.mongoByCommand(), after.mongoByCommand());
      perOrder = Stats.perOrder(Stats.sum(deltas), orders);
      JsonObject byCommand = new JsonObject();
      StringBuilder b = new StringBuilder();
      deltas.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> {
        byCommand.put(e.getKey(), Json.num(Stats.perOrder(e.getValue(), orders)));
        double each = Stats.perOrder(e.getValue(), orders);
        if (each >= 0.005) { // the rest stays in the JSON
          b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(String.format("%.2f", each));
        }
      });
      breakdown = b.toString();
      mongo.put("commandsPerOrder", Json.num(perOrder)).put("perCommandPerOrder", byCommand)
          .put("commands", Stats.sum(deltas));
      if (mid1.mongoByCommand() != null && mid2.mongoByCommand() != null && midOrders >= MIN_STEADY_ORDERS) {
        steady = Stats.perOrder(Stats.sum(Stats.commandDeltas(mid1.mongoByCommand(), mid2.mongoByCommand())),
            midOrders);
        mongo.put("commandsPerOrderSteadyState", Json.num(steady));
      }
    } else {
      mongo.put("commandsPerOrder", (Object) null).put("note", Objects.requireNonNullElse(after.mongoNote(),
          before.mongoNote()));
    }
    if (before.mongoOpcounters() != null && after.mongoOpcounters() != null) {
      JsonObject opcounters = new JsonObject();
      after.mongoOpcounters().forEach((k, v) -> opcounters.put(k,
          Json.num(Stats.perOrder(v - before.mongoOpcounters().getOrDefault(k, 0L), orders))));
      mongo.put("opcountersPerOrder", opcounters);
    }
    durableCommits(before, after, orders, mongo);
    stores.put("mongo", mongo);
    if (Double.isNaN(perOrder)) {
      storeRows.add(new Report.Row("MongoDB commands per order", "n/a (" + mongo.getString("note") + ")", "", "",
          "≤ 3", Verdict.NA));
    } else {
      storeRows.add(new Report.Row("MongoDB commands per order", String.format("%.2f (steady %s; %s)", perOrder,
          fmt2(steady), breakdown), "", "", "≤ 3", perOrder <= MONGO_TARGET ? Verdict.PASS : Verdict.FAIL));
    }
    // PostgreSQL
    JsonObject pg = new JsonObject();
    if (before.pgXacts() != null && after.pgXacts() != null) {
      double xacts = Stats.perOrder(after.pgXacts() - before.pgXacts(), orders);
      double writes = Stats.perOrder(after.pgNextXid() - before.pgNextXid(), orders);
      double steadyXacts = mid1.pgXacts() == null || mid2.pgXacts() == null || midOrders < MIN_STEADY_ORDERS
          ? Double.NaN
          : Stats.perOrder(mid2.pgXacts() - mid1.pgXacts(), midOrders);
      pg.put("transactionsPerOrder", Json.num(xacts)).put("transactionsPerOrderSteadyState", Json.num(steadyXacts))
          .put("writeTransactionsPerOrder", Json.num(writes)).put("transactions", after.pgXacts() - before.pgXacts());
      storeRows.add(new Report.Row("PostgreSQL transactions per order", String.format(
          "%.2f (steady %s; writing %.2f)", xacts, fmt2(steadyXacts), writes), "", "", "≈ 1 (≤ 1.1)",
          xacts <= PG_TOLERANCE ? Verdict.PASS : Verdict.FAIL));
    } else {
      String note = Objects.requireNonNullElse(after.pgNote(), before.pgNote());
      pg.put("transactionsPerOrder", (Object) null).put("note", note);
      storeRows.add(new Report.Row("PostgreSQL transactions per order", "n/a (" + note + ")", "", "", "≈ 1 (≤ 1.1)",
          Verdict.NA));
    }
    stores.put("postgresql", pg);
    report.json().put("stores", stores);
  }

  private void storeRows() {
    for (Report.Row r : storeRows) {
      report.row(r.scenario(), r.result(), r.ceiling(), r.ratio(), r.target(), r.verdict());
    }
    storeRows.clear();
  }

  /** CPU per order by process group; the JVM's JIT compiler threads, part of the JVM's figure, in parentheses. */
  private void cpuRow(Map<String, Double> cpuSeconds, double jitSeconds, long orders) {
    JsonObject json = new JsonObject();
    StringBuilder text = new StringBuilder();
    cpuSeconds.forEach((k, v) -> {
      double ms = Stats.perOrder(v * 1000, orders);
      json.put(k, Json.num(ms));
      text.append(text.length() == 0 ? "" : ", ").append(k).append(' ').append(fmt2(ms));
      if (k.equals(ProcCpu.JVM)) {
        double jitMs = Stats.perOrder(jitSeconds * 1000, orders);
        json.put(ProcCpu.JVM + " JIT compiler", Json.num(jitMs));
        text.append(" (JIT compiler ").append(fmt2(jitMs)).append(')');
      }
    });
    report.json().put("cpuMsPerOrder", json);
    storeRows.add(new Report.Row("CPU ms per order (POST scenario)", text.toString(), "", "", "", Verdict.INFO));
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void orderScenarios() {
    if (postOrders != null) {
      try {
        openLoop(postOrders.status("201") / postOrders.seconds() * 0.5);
      } catch (Exception e) {
        report.error("POST /api/orders open loop", e);
      }
    } else {
      report.row("POST /api/orders open loop at 50%", "not run: no POST rate", "", "", "p99 ≤ 50 ms", Verdict.NA);
    }
    try {
      flashSale();
    } catch (Exception e) {
      noAnswer("flash-sale", e);
      report.error("flash sale", e);
    }
    try {
      consistency();
    } catch (Exception e) {
      noAnswer("consistency", e);
      report.error("consistency", e);
    }
  }

  /** The evidence of a call that never ended ({@link StuckCall}), kept in the results. */
  private void noAnswer(String scenario, Throwable failure) {
    JsonObject evidence = StuckCall.evidence(scenario, failure, vertx, config.systemPid(), config.results());
    if (evidence != null) {
      System.out.println("   no answer: " + evidence.encode());
      report.json().put("noAnswer-" + scenario, evidence);
    }
  }

  private void openLoop(double rate) throws Exception {
    ProcCpu cpu = new ProcCpu(config.systemPid(), config.dataDir());
    int round = Math.max(5, config.warmupSeconds());
    step(String.format("POST /api/orders open loop at %.0f/s: warm-up in rounds of %d s until the JIT compiler has"
        + " settled (at most %d s)", rate, round, MAX_OPEN_LOOP_WARMUP_SECONDS));
    int[] rounds = {0};
    CompiledWarmUp.Outcome warmUp = CompiledWarmUp.run(cpu::jvm, round, MAX_OPEN_LOOP_WARMUP_SECONDS,
        seconds -> OpenLoop.run(vertx, config.orderUrl(), rate, 0, seconds, config.connections(), 4096,
            OrderOpenLoop.requests(users, products, runId + "-w" + ++rounds[0])));
    report.json().put("openLoopWarmUp", warmUp.toJson());
    report.row("POST /api/orders open loop warm-up", warmUp.text(), "", "", "", Verdict.INFO);
    step(String.format("POST /api/orders open loop: %.0f/s, warm-up %d s + %d s", rate, config.warmupSeconds(),
        config.seconds()));
    List<String> metricsUrls = List.of(config.orderUrl() + "/metrics", config.productUrl() + "/metrics");
    StepTimes.Snapshot before = StepTimes.read(http, metricsUrls);
    OpenLoop.Result r = OpenLoop.run(vertx, config.orderUrl(), rate, config.warmupSeconds(), config.seconds(),
        config.connections(), 4096,
        OrderOpenLoop.requests(users, products, runId));
    JsonObject steps = new JsonObject();
    String stepText = StepTimes.between(before, StepTimes.read(http, metricsUrls), steps);
    double p99 = r.fromIntended().percentileMs(99);
    report.json().put("openLoop", r.toJson().put("targetP99Ms", OPEN_LOOP_P99_TARGET_MS));
    StringBuilder statuses = new StringBuilder();
    new TreeMap<>(r.statuses()).forEach((k, v) -> statuses.append(' ').append(k).append('=').append(v));
    r.errors().forEach((k, v) -> statuses.append(' ').append(k).append('=').append(v));
    String result = String.format("p99 %.1f ms from intended send (p50 %.1f; p99 from actual send %.1f); %.0f/s"
            + " answered;%s%s", p99, r.fromIntended().percentileMs(50), r.fromSend().percentileMs(99),
        r.achievedRate(), statuses, r.unsent() + r.unfinished() > 0
            ? "; unsent " + r.unsent() + ", unfinished " + r.unfinished() : "");
    System.out.println("   " + result);
    boolean ok = p99 <= OPEN_LOOP_P99_TARGET_MS && r.unsent() == 0 && r.unfinished() == 0;
    report.row(String.format("POST /api/orders open loop at 50%% (%.0f/s)", rate), result, "", "", "p99 ≤ 50 ms",
        ok ? Verdict.PASS : Verdict.FAIL);
    System.out.println("   by step (means): " + stepText);
    report.json().put("openLoopSteps", steps);
    report.row("POST /api/orders open loop: time by step (means, its warm-up included)", stepText, "", "", "",
        Verdict.INFO);
  }

  private void flashSale() {
    List<Double> walls = new ArrayList<>();
    JsonArray rounds = new JsonArray();
    boolean allOk = true;
    StringBuilder counts = new StringBuilder();
    for (int round = 1; round <= FLASH_ROUNDS; round++) {
      step("flash sale round " + round + ": stock " + FLASH_STOCK + ", " + FLASH_BUYERS + " orders at once");
      FlashSale.Round r = FlashSale.run(vertx, config.productUrl(), config.orderUrl(), users, FLASH_STOCK,
          FLASH_BUYERS, runId, round, productId -> initialStock.put(productId, (long) FLASH_STOCK));
      walls.add(r.wallMs());
      rounds.add(r.toJson());
      allOk &= r.ok();
      String line = String.format("%.0f ms, %s%s", r.wallMs(), r.statuses().toString().replace("{", "")
          .replace("}", "").replace(", ", " "), r.ok() ? ", OK" : ", FAIL (stock left " + r.stockLeft() + ")");
      System.out.println("   " + line);
      if (!r.ok()) {
        counts.append(counts.length() == 0 ? "" : "; ").append("round ").append(round).append(": ").append(line);
      }
    }
    double median = Stats.median(walls);
    report.json().put("flashSale", new JsonObject().put("stock", FLASH_STOCK).put("buyers", FLASH_BUYERS)
        .put("rounds", rounds).put("medianWallMs", Json.num(median)).put("countsOk", allOk)
        .put("targetMedianWallMs", FLASH_WALL_TARGET_MS));
    report.row("flash sale: stock 50, 200 orders at once, x5", String.format("median wall %.0f ms (%.0f..%.0f);"
            + " counts %s%s", median, walls.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
            walls.stream().mapToDouble(d -> d).max().orElse(Double.NaN), allOk ? "OK (5 × 50×201 + 150×409)" : "FAIL",
            counts.length() == 0 ? "" : " [" + counts + "]"), "", "", "median ≤ 300 ms; 50×201, 150×409, no 5xx",
        allOk && median <= FLASH_WALL_TARGET_MS ? Verdict.PASS : Verdict.FAIL);
    if (!allOk) {
      report.correctnessFailed();
    }
  }

  /** Every unit that left stock is in a CONFIRMED order, once nothing is in flight any more. */
  private void consistency() {
    step("consistency: waiting until quiet");
    boolean quiet = waitQuiet("before the consistency check");
    long sold = 0;
    for (JsonObject p : http.listAll(config.productUrl() + "/api/products", 1_000_000)) {
      Long initial = initialStock.get(p.getString("id"));
      if (initial != null) {
        sold += initial - p.getLong("stock");
      }
    }
    long ordered = 0;
    long orders = 0;
    for (JsonObject o : http.listAll(config.orderUrl() + "/api/orders", 10_000_000)) {
      orders++;
      if ("CONFIRMED".equals(o.getString("status"))) {
        for (Object item : o.getJsonArray("items")) {
          ordered += ((JsonObject) item).getLong("quantity");
        }
      }
    }
    boolean ok = sold == ordered;
    report.json().put("consistency", new JsonObject().put("unitsTakenFromStock", sold)
        .put("unitsInConfirmedOrders", ordered).put("orders", orders).put("quiet", quiet).put("ok", ok));
    report.row("consistency after the order scenarios", String.format(
        "%s: units taken from stock %d, in CONFIRMED orders %d (%d orders)%s", ok ? "OK" : "MISMATCH", sold, ordered,
        orders, quiet ? "" : "; system never went quiet"), "", "", "equal", ok ? Verdict.PASS : Verdict.FAIL);
    if (!ok) {
      report.correctnessFailed();
    }
    orderEvents(orders);
  }

  /** One created event per order in JetStream once the outbox relay has caught up (nothing is cancelled here). */
  private void orderEvents(long orders) {
    step("order events: waiting for one per order in JetStream");
    try {
      OrderEvents.Count count = OrderEvents.await(config.natsUrl(), orders, Duration.ofSeconds(60));
      boolean ok = count.events() == orders;
      report.json().put("orderEvents", new JsonObject().put("events", count.events()).put("orders", orders)
          .put("waitedMs", count.waitedMs()).put("ok", ok));
      report.row("order events in JetStream (stream ORDERS)", String.format("%s: %d events for %d orders; %s",
              ok ? "OK" : "MISMATCH", count.events(), orders, count.waitedMs() < 200 ? "all there when checked"
                  : "all there " + count.waitedMs() + " ms after the check began"), "", "",
          "one created event per order", ok ? Verdict.PASS : Verdict.FAIL);
      if (!ok) {
        report.correctnessFailed();
      }
    } catch (Exception e) {
      report.error("order events in JetStream (stream ORDERS)", e);
    }
  }

  /** Polls stock left and the order count once a second until two readings in a row agree (at most 60 s). */
  private boolean waitQuiet(String when) {
    String previous = quietReading();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      sleep(1000);
      String current = quietReading();
      if (current.equals(previous)) {
        return true;
      }
      previous = current;
    }
    System.out.println("   (not quiet within 60 s " + when + ")");
    return false;
  }

  private String quietReading() {
    long stock = 0;
    for (JsonObject p : http.listAll(config.productUrl() + "/api/products", 1_000_000)) {
      stock += p.getLong("stock", 0L);
    }
    return stock + "/" + ordersTotal();
  }

  private long ordersTotal() {
    return http.getJson(config.orderUrl() + "/api/orders?limit=1").getLong("total");
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** products.get and users.get over NATS, each between two runs of the bare echo responder. */
  private void natsScenarios() throws Exception {
    List<byte[]> productBodies = new ArrayList<>();
    for (String id : products) {
      productBodies.add(new JsonObject().put("ids", new JsonArray().add(id)).encode().getBytes(StandardCharsets.UTF_8));
    }
    List<byte[]> userBodies = new ArrayList<>();
    for (String id : users) {
      userBodies.add(new JsonObject().put("id", id).encode().getBytes(StandardCharsets.UTF_8));
    }
    List<String> subjects = List.of("products.get", "users.get");
    List<List<byte[]>> bodies = List.of(productBodies, userBodies);
    List<Measurement> ceilings = new ArrayList<>();
    List<Measurement> results = new ArrayList<>();
    try (Child echo = Child.start("echo-responder", config.results().resolve("echo-responder.log"),
        "echo-responder", "--nats", config.natsUrl()); NatsLoad load = new NatsLoad(config.natsUrl())) {
      ceilings.add(scenario("ceiling: bare jnats echo #1", () -> natsRun(load, "echo-1", EchoResponder.SUBJECT,
          productBodies, config.warmupSeconds())));
      for (int i = 0; i < subjects.size(); i++) {
        String subject = subjects.get(i);
        List<byte[]> b = bodies.get(i);
        results.add(scenario(subject, () -> natsRun(load, subject, subject, b, config.warmupSeconds())));
        int n = i + 2;
        ceilings.add(scenario("ceiling: bare jnats echo #" + n, () -> natsRun(load, "echo-" + n,
            EchoResponder.SUBJECT, productBodies, 1)));
      }
    }
    report.json().put("natsCeiling", ceilingJson(ceilings));
    report.row("ceiling: bare jnats echo (" + config.inFlight() + " in flight, " + ceilings.size() + " runs)",
        ceilingText(ceilings), "", "", "", Verdict.INFO);
    JsonObject nats = new JsonObject();
    for (int i = 0; i < subjects.size(); i++) {
      Measurement m = results.get(i);
      if (m == null) {
        continue;
      }
      String subject = subjects.get(i);
      double ceiling = Stats.meanOfKnown(rate(ceilings.get(i)), rate(ceilings.get(i + 1)));
      double ratio = Stats.ratio(m.perSecond(), ceiling);
      nats.put(subject, m.toJson().put("ceilingPerSecond", Json.num(ceiling)).put("ratio", Json.num(ratio)));
      boolean ok = m.status("200") == m.answers() && m.errorCount() == 0;
      report.row(subject + " over NATS (" + config.inFlight() + " in flight)", throughput(m), fmtRate(ceiling),
          fmtRatio(ratio), "all answered, no error", ok ? Verdict.PASS : Verdict.FAIL);
    }
    report.json().put("nats", nats);
  }

  private Measurement natsRun(NatsLoad load, String label, String subject, List<byte[]> bodies, int warmup)
      throws Exception {
    step(label + ": NATS " + subject + ", " + config.inFlight() + " in flight, warm-up " + warmup + " s + "
        + config.seconds() + " s");
    Measurement m = load.run(subject, bodies, config.inFlight(), warmup, config.seconds());
    System.out.println("   " + throughput(m));
    return m;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private Measurement wrkRun(String label, String url, String script, List<String> args, int warmup)
      throws Exception {
    step(label + ": wrk -t" + config.wrkThreads() + " -c" + config.connections() + " " + url + " (" + script
        + "), warm-up " + warmup + " s + " + config.seconds() + " s");
    wrk.run(label + "-warmup", url, script, warmup, args);
    Measurement m = wrk.run(label, url, script, config.seconds(), args);
    System.out.println("   " + throughput(m));
    return m;
  }

  interface Scenario {
    Measurement run() throws Exception;
  }

  /** Runs one scenario; a failure becomes an ERROR row and the run goes on. */
  private Measurement scenario(String name, Scenario scenario) {
    try {
      return scenario.run();
    } catch (Exception e) {
      report.error(name, e);
      return null;
    }
  }

  private static double rate(Measurement m) {
    return m == null ? Double.NaN : m.perSecond();
  }

  private static String throughput(Measurement m) {
    return String.format("%.0f req/s, p50 %.2f ms, p99 %.2f ms; %s", m.perSecond(), m.p50Ms(), m.p99Ms(),
        m.statusText());
  }

  private static String fmtRate(double rate) {
    return Double.isNaN(rate) ? "n/a" : String.format("%.0f/s", rate);
  }

  private static String fmtRatio(double ratio) {
    return Double.isNaN(ratio) ? "n/a" : String.format("%.3f", ratio);
  }

  private static String fmt2(double v) {
    return Double.isNaN(v) ? "n/a" : String.format("%.2f", v);
  }

  private static String shortName(String name) {
    return name.replace("/api/products/{id}", "product").replace("/api/users/{id}", "user");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleepUntil(long startNanos, long offsetMs) {
    long wait = startNanos + TimeUnit.MILLISECONDS.toNanos(offsetMs) - System.nanoTime();
    if (wait > 0) {
      sleep(TimeUnit.NANOSECONDS.toMillis(wait));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void step(String text) {
    System.out.println("-- " + text);
  }
}
