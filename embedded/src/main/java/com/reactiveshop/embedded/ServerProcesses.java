package com.reactiveshop.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The OS processes of embedded servers (Linux {@code /proc}): finding the ones an earlier run left behind by their
 * arguments, and stopping them with a signal, then SIGKILL after a grace time. Every wait here is bounded.
 */
final class ServerProcesses {

  private static final Logger LOG = LoggerFactory.getLogger(ServerProcesses.class);

  private ServerProcesses() {
  }

  /** The arguments of a process; empty when it is gone or unreadable. */
  static List<String> arguments(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      if (raw.length == 0) {
        return List.of();
      }
      String text = new String(raw, StandardCharsets.UTF_8);
      if (text.endsWith("\0")) {
        text = text.substring(0, text.length() - 1);
      }
      return Arrays.asList(text.split("\0", -1));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** True when {@code option} is followed by {@code value} among the arguments. */
  static boolean hasOption(List<String> args, String option, String value) {
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals(option) && args.get(i + 1).equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** Live processes, other than this JVM, whose arguments match. */
  static List<ProcessHandle> matching(Predicate<List<String>> test) {
    List<ProcessHandle> found = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : proc) {
        long pid = Long.parseLong(dir.getFileName().toString());
        if (pid != self && test.test(arguments(pid))) {
          ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(found::add);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("Cannot list processes: {}", e.toString());
    }
    return found;
  }

  /** Sends a signal by name (INT, TERM, QUIT, KILL) with {@code kill}; false when it could not be sent. */
  static boolean signal(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        return false;
      }
      return kill.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Stops these processes: {@code signal} first, SIGKILL to each one (and its descendants, collected first) still
   * there after {@code grace}. Returns once all are gone or after {@code grace} + 5 s.
   */
  static void stop(List<ProcessHandle> processes, String signal, Duration grace) {
    if (processes.isEmpty()) {
      return;
    }
    Set<ProcessHandle> all = new LinkedHashSet<>();
    for (ProcessHandle process : processes) {
      all.add(process);
      process.descendants().forEach(all::add);
      signal(process.pid(), signal);
    }
    if (awaitGone(all, grace)) {
      return;
    }
    all.stream().filter(ProcessHandle::isAlive).forEach(p -> {
      LOG.warn("Process {} did not stop on SIG{} within {} s: killing it", p.pid(), signal, grace.toSeconds());
      p.destroyForcibly();
    });
    if (!awaitGone(all, Duration.ofSeconds(5))) {
      LOG.warn("Processes still alive after SIGKILL: {}", all.stream().filter(ProcessHandle::isAlive)
          .map(ProcessHandle::pid).toList());
    }
  }

  static boolean awaitGone(Iterable<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle process : processes) {
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0) {
          return !process.isAlive() && allGone(processes);
        }
        process.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return allGone(processes);
      } catch (Exception e) {
        return allGone(processes);
      }
    }
    return true;
  }

  private static boolean allGone(Iterable<ProcessHandle> processes) {
    for (ProcessHandle process : processes) {
      if (process.isAlive()) {
        return false;
      }
    }
    return true;
  }
}
