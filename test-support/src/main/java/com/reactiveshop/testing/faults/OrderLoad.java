package com.reactiveshop.testing.faults;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady order load for fault tests: a few HTTP clients placing orders on the order service, each with a unique
 * {@code Idempotency-Key}, as a careful client would: a 503, a 409 {@code request_in_progress} or no answer is
 * retried (bounded) with the same key and body; every 201 is recorded (its order id is acknowledged), and every
 * {@code cancelEvery}-th acknowledged order is cancelled (a 200 acknowledges the cancel). Every answer is counted by
 * phase (the phase current when its request was sent) and status; no answer at all counts as status -1.
 * Bounded: it stops by itself after {@code maxOrders} orders or {@code maxRun}, whichever comes first.
 */
public final class OrderLoad implements AutoCloseable {

  /** No answer: connection refused or reset, or no answer within the request timeout. */
  public static final int NO_ANSWER = -1;

  /**
   * @param orderServiceUrl  e.g. {@code http://127.0.0.1:3003}
   * @param clients          concurrent clients
   * @param requestTimeout   how long a client waits for an answer
   * @param cancelEvery      cancel every n-th acknowledged order (0: never)
   * @param maxOrders        order numbers (keys) used at most
   * @param maxRun           the load stops by itself after this long
   * @param keyPrefix        prefix of the Idempotency-Keys (unique per run)
   */
  public record Settings(String orderServiceUrl, String userId, List<String> productIds, int clients,
                         Duration requestTimeout, int cancelEvery, int maxOrders, Duration maxRun, String keyPrefix) {
  }

  /** What one phase saw: answers by status, the slowest answer by status, when the first 201 came. */
  public static final class Phase {
    public final String name;
    public final long startNanos;
    final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    final Map<Integer, AtomicInteger> cancelStatuses = new ConcurrentHashMap<>();
    final Map<Integer, AtomicLong> maxLatencyMs = new ConcurrentHashMap<>();
    final AtomicInteger replayed = new AtomicInteger();
    final List<Record> answers = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger withoutRetryAfter = new AtomicInteger();
    final AtomicLong first201Nanos = new AtomicLong(Long.MAX_VALUE);
    final AtomicInteger created = new AtomicInteger();

    Phase(String name) {
      this.name = name;
      this.startNanos = System.nanoTime();
    }

    /** Answers to order requests (POST /api/orders) sent in this phase, by status. */
    public Map<Integer, Integer> statuses() {
      return counts(statuses);
    }

    /** Answers to cancels (POST /api/orders/{id}/cancel) sent in this phase, by status. */
    public Map<Integer, Integer> cancelStatuses() {
      return counts(cancelStatuses);
    }

    private static Map<Integer, Integer> counts(Map<Integer, AtomicInteger> counts) {
      Map<Integer, Integer> copy = new TreeMap<>();
      counts.forEach((k, v) -> copy.put(k, v.get()));
      return copy;
    }

    public Map<Integer, Long> maxLatencyMs() {
      Map<Integer, Long> copy = new TreeMap<>();
      maxLatencyMs.forEach((k, v) -> copy.put(k, v.get()));
      return copy;
    }

    public long maxLatencyMs(int status) {
      AtomicLong max = maxLatencyMs.get(status);
      return max == null ? 0 : max.get();
    }

    /** Every answer to a request sent in this phase (bounded), in the order they came. */
    public List<Record> answers() {
      synchronized (answers) {
        return List.copyOf(answers);
      }
    }

    /** Answers that came before {@code nanos} ({@link System#nanoTime()}), e.g. before a server was started again. */
    public List<Record> answeredBefore(long nanos) {
      return answers().stream().filter(a -> a.answeredNanos() < nanos).toList();
    }

    /** Order answers 503 that came without a Retry-After header. */
    public int unavailableWithoutRetryAfter() {
      return withoutRetryAfter.get();
    }

    /** Orders created (201, first answer for their key) by requests sent in this phase. */
    public int created() {
      return created.get();
    }

    /** Milliseconds from the start of this phase to the first 201 to a request sent in it; -1 if none. */
    public long msToFirst201() {
      long first = first201Nanos.get();
      return first == Long.MAX_VALUE ? -1 : (first - startNanos) / 1_000_000;
    }

    @Override
    public String toString() {
      return name + ": orders " + statuses() + (cancelStatuses.isEmpty() ? "" : ", cancels " + cancelStatuses())
          + ", max latency ms " + maxLatencyMs() + ", created " + created()
          + (replayed.get() == 0 ? "" : ", replayed 201s " + replayed.get())
          + (msToFirst201() >= 0 ? ", first 201 after " + msToFirst201() + " ms" : "");
    }
  }

  private final Settings settings;
  private final HttpClient http;
  private final ExecutorService pool;
  private final List<Future<?>> workers = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger next = new AtomicInteger();
  private final Map<String, String> keyToOrder = new ConcurrentHashMap<>();
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());
  private final List<Phase> phases = Collections.synchronizedList(new ArrayList<>());
  private volatile Phase current;
  private static final int MAX_LOG = 50_000;
  private final long deadlineNanos;
  private final ExecutorService httpThreads;

  private OrderLoad(Settings settings) {
    this.settings = settings;
    this.pool = Executors.newFixedThreadPool(settings.clients(), OrderLoad::daemon);
    this.httpThreads = Executors.newFixedThreadPool(2, OrderLoad::daemon);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).executor(httpThreads).build();
    this.deadlineNanos = System.nanoTime() + settings.maxRun().toNanos();
    this.current = new Phase("start");
    phases.add(current);
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "order-load");
    thread.setDaemon(true);
    return thread;
  }

  public static OrderLoad start(Settings settings) {
    OrderLoad load = new OrderLoad(settings);
    for (int i = 0; i < settings.clients(); i++) {
      load.workers.add(load.pool.submit(load::client));
    }
    return load;
  }

  /** Starts a new phase: answers to requests sent from now on count towards it. */
  public Phase phase(String name) {
    Phase phase = new Phase(name);
    phases.add(phase);
    current = phase;
    return phase;
  }

  public List<Phase> phases() {
    return List.copyOf(phases);
  }

  /** Order ids the clients were answered for, each with the status they were told last (null: a cancel was sent but
   * its answer was lost, so either status is right). */
  public Map<String, String> acknowledged() {
    Map<String, String> copy = new HashMap<>();
    acknowledged.forEach((id, status) -> copy.put(id, "UNKNOWN".equals(status) ? null : status));
    return Collections.unmodifiableMap(copy);
  }

  /** Everything a correct system never does: an unexpected status, a key answered with two order ids, ... */
  public List<String> anomalies() {
    return List.copyOf(anomalies);
  }

  /** Total order statuses over all phases. */
  public Map<Integer, Integer> statuses() {
    Map<Integer, Integer> total = new TreeMap<>();
    for (Phase phase : phases()) {
      phase.statuses().forEach((k, v) -> total.merge(k, v, Integer::sum));
    }
    return total;
  }

  public boolean running() {
    return !stop.get() && System.nanoTime() < deadlineNanos && next.get() < settings.maxOrders();
  }

  /** Stops the clients and waits (bounded) for the requests in flight. */
  public void stop() throws Exception {
    stop.set(true);
    try {
      for (Future<?> worker : workers) {
        worker.get(settings.requestTimeout().toMillis() * 4 + 10_000, TimeUnit.MILLISECONDS);
      }
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    stop.set(true);
    pool.shutdownNow();
    httpThreads.shutdownNow();
  }

  private Void client() throws InterruptedException {
    while (running()) {
      int number = next.getAndIncrement();
      if (number >= settings.maxOrders()) {
        break;
      }
      placeOne(number);
    }
    return null;
  }

  private void placeOne(int number) throws InterruptedException {
    String key = settings.keyPrefix() + "-" + number;
    List<String> products = settings.productIds();
    JsonObject body = new JsonObject().put("userId", settings.userId()).put("items", new JsonArray()
        .add(new JsonObject().put("productId", products.get(number % products.size()))
            .put("quantity", 1 + number % 3)));
    for (int attempt = 0; attempt < 4 && !stop.get(); attempt++) {
      Answer answer = send("POST", "/api/orders", body.encode(), key, attempt);
      if (answer.status == 201) {
        String id = answer.json == null ? null : answer.json.getString("id");
        if (id == null) {
          anomalies.add("201 without an order id for key " + key + ": " + answer.text);
          return;
        }
        String before = keyToOrder.putIfAbsent(key, id);
        if (before != null && !before.equals(id)) {
          anomalies.add("key " + key + " was answered with order " + before + " and then " + id);
        }
        if (before == null) {
          answer.phase.created.incrementAndGet();
          acknowledged.putIfAbsent(id, "CONFIRMED");
        }
        if (settings.cancelEvery() > 0 && number % settings.cancelEvery() == 0) {
          cancel(id);
        }
        return;
      }
      if (answer.status == 409 && answer.code().equals("insufficient_stock")) {
        return;
      }
      boolean retry = answer.status == 503 || answer.status == NO_ANSWER
          || (answer.status == 409 && answer.code().equals("request_in_progress"));
      if (!retry) {
        anomalies.add("order key " + key + ": unexpected " + answer.status + " " + answer.text);
        return;
      }
      Thread.sleep(200L * (attempt + 1));
    }
  }

  private void cancel(String id) throws InterruptedException {
    acknowledged.put(id, "UNKNOWN");
    for (int attempt = 0; attempt < 4 && !stop.get(); attempt++) {
      Answer answer = send("POST", "/api/orders/" + id + "/cancel", null, null, attempt);
      if (answer.status == 200) {
        String status = answer.json == null ? null : answer.json.getString("status");
        if (!"CANCELLED".equals(status)) {
          anomalies.add("cancel of " + id + " answered 200 with status " + status);
        }
        acknowledged.put(id, "CANCELLED");
        return;
      }
      if (answer.status != 503 && answer.status != NO_ANSWER) {
        anomalies.add("cancel of " + id + ": unexpected " + answer.status + " " + answer.text);
        return;
      }
      Thread.sleep(200L * (attempt + 1));
    }
  }

  /**
   * One answer: to an order ({@code order} true, {@code subject} its Idempotency-Key) or a cancel ({@code subject}
   * the order id); {@code code} the error code, or the order id of a 201; {@code status} {@link #NO_ANSWER} when none.
   */
  public record Record(String phase, boolean order, String subject, int attempt, long sentNanos, long answeredNanos,
                       int status, boolean replayed, String code) {
    public long latencyMs() {
      return (answeredNanos - sentNanos) / 1_000_000;
    }

    @Override
    public String toString() {
      return phase + " " + (order ? "order " : "cancel ") + subject + " attempt " + attempt + ": " + status + " in "
          + latencyMs() + " ms" + (replayed ? " (replayed)" : "") + " " + code;
    }
  }

  private record Answer(Phase phase, int status, String text, JsonObject json) {
    String code() {
      JsonObject error = json == null ? null : json.getJsonObject("error");
      return error == null ? "" : String.valueOf(error.getString("code"));
    }
  }

  private Answer send(String method, String path, String body, String key, int attempt) {
    Phase phase = current;
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.orderServiceUrl() + path))
        .timeout(settings.requestTimeout()).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    long start = System.nanoTime();
    int status;
    String text = "";
    JsonObject json = null;
    boolean replay = false;
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      status = response.statusCode();
      replay = response.headers().firstValue("Idempotent-Replayed").isPresent();
      text = response.body();
      try {
        json = new JsonObject(text);
      } catch (RuntimeException e) {
        anomalies.add(method + " " + path + " answered " + status + " with a body that is not JSON: " + text);
      }
      if (status == 503 && key != null && response.headers().firstValue("Retry-After").isEmpty()) {
        phase.withoutRetryAfter.incrementAndGet();
      }
      if (status >= 500 && status != 503) {
        anomalies.add(method + " " + path + " answered " + status + ": " + text);
      }
    } catch (IOException e) {
      status = NO_ANSWER;
      text = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = NO_ANSWER;
      text = e.toString();
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    boolean order = key != null;
    (order ? phase.statuses : phase.cancelStatuses).computeIfAbsent(status, k -> new AtomicInteger())
        .incrementAndGet();
    if (replay && status == 201) {
      phase.replayed.incrementAndGet();
    }
    long answered = System.nanoTime();
    if (phase.answers.size() < MAX_LOG) {
      String code = status == NO_ANSWER ? text : json != null && json.getJsonObject("error") != null
          ? json.getJsonObject("error").getString("code") : json != null ? json.getString("id", "") : "";
      phase.answers.add(new Record(phase.name, order, order ? key : path, attempt, start, answered, status, replay,
          code));
    }
    if (order) {
      phase.maxLatencyMs.computeIfAbsent(status, k -> new AtomicLong()).accumulateAndGet(ms, Math::max);
    }
    if (order && status == 201) {
      phase.first201Nanos.accumulateAndGet(System.nanoTime(), Math::min);
    }
    return new Answer(phase, status, text, json);
  }
}
