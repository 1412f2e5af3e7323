package com.reactiveshop.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JFR recording of the running system during one scenario ({@code jcmd PID JFR.start|JFR.stop}), summarised as the
 * share of execution samples per thread group and the hottest frames in each: the leaf frame (where the CPU is) and
 * the innermost frame of this project's code (which of our paths led there).
 */
final class Profiler {

  private static final String NAME = "bench-profile";

  private Profiler() {
  }

  static void start(long pid, Path file) throws IOException, InterruptedException {
    jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile", "filename=" + file.toAbsolutePath());
  }

  static void stop(long pid) throws IOException, InterruptedException {
    jcmd(pid, "JFR.stop", "name=" + NAME);
  }

  /** The JVM's threads and their stacks ({@code jcmd PID Thread.print}). */
  static String threadDump(long pid) throws IOException, InterruptedException {
    return jcmd(pid, "Thread.print");
  }

  private static String jcmd(long pid, String... args) throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    List<String> command = new ArrayList<>(List.of(jcmd, String.valueOf(pid)));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("jcmd " + String.join(" ", args) + " failed: " + out.strip());
    }
    return out;
  }

  /** The thread group of a JVM thread name. */
  static String group(String thread) {
    String t = thread == null ? "" : thread;
    String lower = t.toLowerCase(Locale.ROOT);
    if (t.startsWith("mongo-server") || t.startsWith("MVStore") || t.startsWith("H2-")) {
      return "mongo-java-server"; // its Netty workers and its H2 store's background threads
    }
    if (t.startsWith("vert.x-eventloop")) {
      return "vert.x event loops";
    }
    if (t.startsWith("vert.x-")) {
      return "vert.x workers";
    }
    if (t.startsWith("AsyncGetter") || lower.startsWith("cluster-") || lower.contains("mongo")) {
      return "MongoDB driver";
    }
    if (lower.contains("nats") || t.matches(".+:\\d+")) {
      return "jnats client"; // jnats names its threads "<connection name>:<n>"
    }
    return "other JVM threads";
  }

  static JsonObject summarise(Path file, int top) throws IOException {
    Map<String, Long> perGroup = new HashMap<>();
    Map<String, Map<String, Long>> leaf = new HashMap<>();
    Map<String, Map<String, Long>> ours = new HashMap<>();
    Map<String, Map<String, Long>> store = new HashMap<>();
    long total = 0;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent event = recording.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        total++;
        var thread = event.getThread("sampledThread");
        String group = group(thread == null ? null : thread.getJavaName());
        perGroup.merge(group, 1L, Long::sum);
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        leaf.computeIfAbsent(group, g -> new HashMap<>()).merge(frame(stack.getFrames().get(0)), 1L, Long::sum);
        boolean seenOurs = false;
        boolean seenStore = false;
        for (RecordedFrame f : stack.getFrames()) {
          String type = f.isJavaFrame() ? f.getMethod().getType().getName() : "";
          if (!seenOurs && type.startsWith("com.reactiveshop.")) {
            ours.computeIfAbsent(group, g -> new HashMap<>()).merge(frame(f), 1L, Long::sum);
            seenOurs = true;
          }
          if (!seenStore && type.startsWith("de.bwaldvogel.")) {
            store.computeIfAbsent(group, g -> new HashMap<>()).merge(frame(f), 1L, Long::sum);
            seenStore = true;
          }
        }
      }
    }
    JsonObject summary = new JsonObject().put("samples", total);
    JsonArray groups = new JsonArray();
    long all = total;
    perGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> groups.add(
        new JsonObject().put("group", e.getKey()).put("samples", e.getValue())
            .put("share", Json.num(e.getValue() / (double) Math.max(1, all)))
            .put("topLeafFrames", topOf(leaf.get(e.getKey()), e.getValue(), top))
            .put("topProjectFrames", topOf(ours.get(e.getKey()), e.getValue(), top))
            .put("topMongoJavaServerFrames", topOf(store.get(e.getKey()), e.getValue(), top))));
    return summary.put("groups", groups);
  }

  private static String frame(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static JsonArray topOf(Map<String, Long> counts, long groupTotal, int top) {
    JsonArray out = new JsonArray();
    if (counts == null) {
      return out;
    }
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
        .forEach(e -> out.add(new JsonObject().put("frame", e.getKey())
            .put("shareOfGroup", Json.num(e.getValue() / (double) Math.max(1, groupTotal)))));
    return out;
  }

  /**
   * The summary as text: one block per thread group with its hottest frames three ways: "leaf" = the frame on top of
   * the stack (where the CPU is), "ours" = the innermost com.reactiveshop frame (which of our code paths led there),
   * "mjs" = the innermost mongo-java-server frame (which store operation).
   */
  static String text(JsonObject summary) {
    StringBuilder out = new StringBuilder("JFR execution samples: " + summary.getLong("samples")
        + " (leaf = top of stack; ours = innermost com.reactiveshop frame; mjs = innermost mongo-java-server frame)\n");
    for (Object o : summary.getJsonArray("groups")) {
      JsonObject g = (JsonObject) o;
      out.append(String.format("  %-20s %5.1f%%%n", g.getString("group"), 100 * g.getDouble("share", 0.0)));
      Map<String, JsonArray> parts = new LinkedHashMap<>();
      parts.put("leaf", g.getJsonArray("topLeafFrames"));
      parts.put("ours", g.getJsonArray("topProjectFrames"));
      parts.put("mjs", g.getJsonArray("topMongoJavaServerFrames"));
      parts.forEach((label, frames) -> {
        for (Object fo : frames) {
          JsonObject f = (JsonObject) fo;
          out.append(String.format("      %-4s %5.1f%%  %s%n", label, 100 * f.getDouble("shareOfGroup", 0.0),
              f.getString("frame")));
        }
      });
    }
    return out.toString();
  }
}
