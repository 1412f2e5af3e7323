package com.reactiveshop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time by process group, from Linux {@code /proc}: the system's JVM, its PostgreSQL (the postmaster started on
 * the run's data directory and its backends), its nats-server, and the load generator. Other processes on the
 * machine are not counted. Where there is no {@code /proc}, everything reads 0.
 */
final class ProcCpu {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
  static final String JVM = "system JVM";

  private final long systemPid;
  private final String dataDir;

  ProcCpu(long systemPid, String dataDir) {
    this.systemPid = systemPid;
    this.dataDir = dataDir;
  }

  /** Process stat: parent and CPU ticks; null when it is gone. */
  record Stat(long pid, long ppid, String comm, long ticks) {
  }

  static Stat stat(long pid) {
    return stat(Path.of("/proc", String.valueOf(pid), "stat"), pid);
  }

  private static Stat stat(Path file, long pid) {
    try {
      return parseStat(pid, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Parses {@code /proc/PID/stat}: the command sits in parentheses and may itself contain spaces or parentheses. */
  static Stat parseStat(long pid, String text) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    String comm = text.substring(open + 1, close);
    String[] f = text.substring(close + 2).trim().split("\\s+");
    // after "pid (comm) ": state(0) ppid(1) ... utime(11) stime(12)
    return new Stat(pid, Long.parseLong(f[1]), comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
  }

  private static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** CPU seconds used so far by each group; {@code extra} adds named processes (the load generator). */
  Map<String, Double> read(Map<String, Long> extra) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    Stat jvm = stat(systemPid);
    seconds.put(JVM, jvm == null ? 0 : jvm.ticks() / TICKS_PER_SECOND);
    List<Stat> all = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
          .map(Long::parseLong).map(ProcCpu::stat).filter(s -> s != null).forEach(all::add);
    } catch (IOException e) {
      // no /proc
    }
    List<Long> postmasters = all.stream()
        .filter(s -> s.comm().startsWith("postgres") && cmdline(s.pid()).contains(dataDir)).map(Stat::pid).toList();
    double pg = 0;
    double nats = 0;
    for (Stat s : all) {
      if (postmasters.contains(s.pid()) || postmasters.contains(s.ppid())) {
        pg += s.ticks();
      } else if (s.comm().startsWith("nats-server") && cmdline(s.pid()).contains(dataDir)) {
        nats += s.ticks();
      }
    }
    seconds.put("PostgreSQL", pg / TICKS_PER_SECOND);
    seconds.put("nats-server", nats / TICKS_PER_SECOND);
    extra.forEach((name, pid) -> {
      Stat s = stat(pid);
      seconds.put(name, s == null ? 0 : s.ticks() / TICKS_PER_SECOND);
    });
    return seconds;
  }

  /** CPU seconds of the system JVM so far: in all, and in its JIT compiler threads (C1 and C2). */
  record JvmCpu(double total, double jit) {
  }

  JvmCpu jvm() {
    Stat jvm = stat(systemPid);
    double jit = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(systemPid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        Stat thread = stat(Path.of(task.toString(), "stat"), Long.parseLong(task.getFileName().toString()));
        // HotSpot names them "C1 CompilerThread0", "C2 CompilerThread0"...; Linux keeps the first 15 characters
        if (thread != null && thread.comm().matches("C[12] CompilerThre.*")) {
          jit += thread.ticks();
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc, or the JVM is gone
    }
    return new JvmCpu(jvm == null ? 0 : jvm.ticks() / TICKS_PER_SECOND, jit / TICKS_PER_SECOND);
  }

  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> d = new LinkedHashMap<>();
    after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0.0)));
    return d;
  }
}
