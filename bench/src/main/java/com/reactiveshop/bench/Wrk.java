package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code wrk} on one of the kit's Lua scripts (all of them load statuses.lua, which ends the output with a
 * {@code BENCH-JSON} line) and reads its figures. Every run is bounded: wrk's own duration, then a hard stop.
 */
final class Wrk {

  /** wrk processes still running, stopped if the kit itself is stopped (each is bounded by -d anyway). */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroy), "stop-wrk"));
  }

  private final Path benchDir;
  private final int threads;
  private final int connections;
  private final Path logDir;

  Wrk(Path benchDir, int threads, int connections, Path logDir) {
    this.benchDir = benchDir;
    this.threads = threads;
    this.connections = connections;
    this.logDir = logDir;
  }

  int threads() {
    return threads;
  }

  int connections() {
    return connections;
  }

  /** Started wrk process, for callers that read counters while it runs. */
  Process start(String label, String url, String script, int seconds, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
        "--timeout", "10s", "-s", benchDir.resolve(script).toString(), url));
    if (!args.isEmpty()) {
      command.add("--");
      command.addAll(args);
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logDir.resolve("wrk-" + label + ".txt").toFile());
    pb.environment().put("BENCH_DIR", benchDir.toString());
    Process process = pb.start();
    RUNNING.add(process);
    process.onExit().thenRun(() -> RUNNING.remove(process));
    return process;
  }

  Measurement finish(String label, Process process, int seconds) throws IOException, InterruptedException {
    if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("wrk did not finish within " + (seconds + 30) + " s");
    }
    String output = Files.readString(logDir.resolve("wrk-" + label + ".txt"), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException("wrk failed (exit " + process.exitValue() + "): " + output.strip());
    }
    return parse(output);
  }

  Measurement run(String label, String url, String script, int seconds, List<String> args)
      throws IOException, InterruptedException {
    return finish(label, start(label, url, script, seconds, args), seconds);
  }

  /** The figures of the {@code BENCH-JSON} line of a wrk output. */
  static Measurement parse(String output) {
    String line = output.lines().filter(l -> l.startsWith("BENCH-JSON ")).reduce((a, b) -> b)
        .orElseThrow(() -> new IllegalStateException("no BENCH-JSON line in wrk output: " + output.strip()));
    JsonObject json = new JsonObject(line.substring("BENCH-JSON ".length()));
    long requests = json.getLong("requests");
    double seconds = json.getLong("durationUs") / 1e6;
    Map<String, Long> statuses = new LinkedHashMap<>();
    json.getJsonObject("statuses").forEach(e -> statuses.put(e.getKey(), ((Number) e.getValue()).longValue()));
    Map<String, Long> errors = new LinkedHashMap<>();
    JsonObject e = json.getJsonObject("errors");
    for (String name : List.of("connect", "read", "write", "timeout")) {
      errors.put(name, e.getLong(name, 0L));
    }
    return new Measurement(seconds > 0 ? requests / seconds : Double.NaN, json.getLong("p50Us") / 1e3,
        json.getLong("p90Us") / 1e3, json.getLong("p99Us") / 1e3, json.getLong("maxUs") / 1e3, requests, seconds,
        statuses, errors);
  }
}
