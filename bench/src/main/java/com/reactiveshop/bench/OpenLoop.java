package com.reactiveshop.bench;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * An open-loop (constant-rate) HTTP load generator. Request {@code i} is due at {@code start + i / rate}, whether or
 * not earlier ones have been answered, and its latency is measured from that intended time: a stall of the server
 * shows up in every request it delays (coordinated omission corrected). In-flight requests are bounded; a request
 * that could not be sent in time still counts from its intended time. Runs for a bounded time plus a bounded drain.
 */
final class OpenLoop {

  /** One request: path, headers and body. */
  record Request(HttpMethod method, String path, MultiMap headers, Buffer body) {
  }

  record Result(double targetRate, double achievedRate, double seconds, long intended, long answered, long unsent,
                long unfinished, LatencyRecorder fromIntended, LatencyRecorder fromSend, Map<String, Long> statuses,
                Map<String, Long> errors, long[] worstBySecondNanos) {

    JsonObject toJson() {
      JsonObject s = new JsonObject();
      new TreeMap<>(statuses).forEach(s::put);
      JsonObject e = new JsonObject();
      errors.forEach(e::put);
      return new JsonObject().put("targetRate", Json.num(targetRate)).put("achievedRate", Json.num(achievedRate))
          .put("seconds", seconds).put("intended", intended).put("answered", answered).put("unsent", unsent)
          .put("unfinished", unfinished)
          .put("p50MsFromIntended", Json.num(fromIntended.percentileMs(50)))
          .put("p90MsFromIntended", Json.num(fromIntended.percentileMs(90)))
          .put("p99MsFromIntended", Json.num(fromIntended.percentileMs(99)))
          .put("p999MsFromIntended", Json.num(fromIntended.percentileMs(99.9)))
          .put("maxMsFromIntended", Json.num(fromIntended.maxMs()))
          .put("p50MsFromSend", Json.num(fromSend.percentileMs(50)))
          .put("p99MsFromSend", Json.num(fromSend.percentileMs(99)))
          .put("statuses", s).put("errors", e).put("worstMsBySecond", worstBySecond());
    }

    /** The slowest answer among the requests due in each second of the run: whether the tail is steady or stalls. */
    private JsonArray worstBySecond() {
      JsonArray worst = new JsonArray();
      for (long nanos : worstBySecondNanos) {
        worst.add(Math.round(nanos / 1e6));
      }
      return worst;
    }
  }

  private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(12);

  private OpenLoop() {
  }

  /**
   * Sends at {@code rate} for {@code warmupSeconds} unrecorded (the generator's and the server's first seconds at a
   * new rate are a transient of their own: connections, pools, compiled code), then for {@code seconds} recorded.
   */
  static Result run(Vertx vertx, String baseUrl, double rate, int warmupSeconds, int seconds, int connections,
                    int maxInFlight, LongFunction<Request> requests) {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("rate must be positive, was " + rate);
    }
    Promise<Result> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    Http http = new Http(vertx, connections);
    context.runOnContext(v -> new State(vertx, http, baseUrl, rate, warmupSeconds, seconds, maxInFlight, requests,
        done).begin());
    try {
      return Http.await(done.future(), warmupSeconds + seconds + 60);
    } finally {
      http.close();
    }
  }

  private static final class State {
    final Vertx vertx;
    final Http http;
    final String baseUrl;
    final double rate;
    final int seconds;
    final int maxInFlight;
    final LongFunction<Request> requests;
    final Promise<Result> done;
    final long total;
    /** The first request that is recorded: the ones before it are the warm-up. */
    final long first;
    final double intervalNanos;
    final LatencyRecorder fromIntended = new LatencyRecorder();
    final LatencyRecorder fromSend = new LatencyRecorder();
    final Map<String, Long> statuses = new HashMap<>();
    final Map<String, Long> errors = new HashMap<>();
    final Map<Long, Long> outstanding = new HashMap<>();
    final long[] worstBySecond;
    long start;
    long next;
    long answered;
    long timer;
    boolean finished;

    State(Vertx vertx, Http http, String baseUrl, double rate, int warmupSeconds, int seconds, int maxInFlight,
          LongFunction<Request> requests, Promise<Result> done) {
      this.vertx = vertx;
      this.http = http;
      this.baseUrl = baseUrl;
      this.rate = rate;
      this.seconds = seconds;
      this.maxInFlight = maxInFlight;
      this.requests = requests;
      this.done = done;
      this.first = (long) Math.floor(rate * warmupSeconds);
      this.total = first + (long) Math.floor(rate * seconds);
      this.intervalNanos = 1e9 / rate;
      this.worstBySecond = new long[Math.max(1, seconds)];
    }

    void begin() {
      start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      timer = vertx.setPeriodic(1, id -> tick());
    }

    long intendedAt(long i) {
      return start + (long) (i * intervalNanos);
    }

    void tick() {
      long now = System.nanoTime();
      while (next < total && intendedAt(next) <= now && outstanding.size() < maxInFlight) {
        send(next, intendedAt(next));
        next++;
      }
      if (next >= total && outstanding.isEmpty() || now > intendedAt(total) + DRAIN_NANOS) {
        finish(now);
      }
    }

    void send(long i, long intended) {
      Request request = requests.apply(i);
      long sentAt = System.nanoTime();
      outstanding.put(i, intended);
      http.send(request.method(), baseUrl + request.path(), request.headers(), request.body()).onComplete(ar -> {
        if (outstanding.remove(i) == null) {
          return; // counted as unfinished already
        }
        long now = System.nanoTime();
        if (i < first) {
          return;
        }
        record(intended, now - intended);
        if (ar.succeeded()) {
          answered++;
          statuses.merge(String.valueOf(ar.result().status()), 1L, Long::sum);
          fromSend.record(now - sentAt);
        } else {
          errors.merge(ar.cause().getClass().getSimpleName(), 1L, Long::sum);
        }
      });
    }

    void finish(long now) {
      if (finished) {
        return;
      }
      finished = true;
      vertx.cancelTimer(timer);
      long unsent = total - Math.max(next, first);
      for (long i = Math.max(next, first); i < total; i++) {
        record(intendedAt(i), Math.max(0, now - intendedAt(i)));
      }
      outstanding.keySet().removeIf(i -> i < first);
      long unfinished = outstanding.size();
      outstanding.values().forEach(intended -> record(intended, now - intended));
      outstanding.clear();
      double elapsed = Math.max(seconds, (now - intendedAt(first)) / 1e9);
      done.complete(new Result(rate, answered / elapsed, seconds, total - first, answered, unsent, unfinished,
          fromIntended, fromSend, statuses, errors, worstBySecond));
    }

    void record(long intended, long latencyNanos) {
      fromIntended.record(latencyNanos);
      long sinceFirst = intended - intendedAt(first);
      int second = (int) Math.min(worstBySecond.length - 1, Math.max(0, sinceFirst / 1_000_000_000L));
      worstBySecond[second] = Math.max(worstBySecond[second], latencyNanos);
    }
  }
}
