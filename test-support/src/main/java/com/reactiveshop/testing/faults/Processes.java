package com.reactiveshop.testing.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finding and killing processes by what their command line names (Linux {@code /proc}), for tests that must leave
 * nothing behind: an embedded nats-server names its store directory ({@code -sd DIR}), an embedded PostgreSQL its
 * data directory ({@code postgres -D DIR}; its backends are its children), a launcher its {@code --data-dir}.
 */
public final class Processes {

  private Processes() {
  }

  /** The command line of a process, arguments separated by spaces; empty when it is gone or unreadable. */
  public static Optional<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      if (raw.length == 0) {
        return Optional.empty();
      }
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          raw[i] = ' ';
        }
      }
      return Optional.of(new String(raw, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Live processes (other than this JVM) whose command line contains {@code text}, with their command lines. */
  public static Map<ProcessHandle, String> mentioning(String text) {
    Map<ProcessHandle, String> found = new LinkedHashMap<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : proc) {
        long pid = Long.parseLong(dir.getFileName().toString());
        if (pid == self) {
          continue;
        }
        commandLine(pid).filter(line -> line.contains(text)).ifPresent(line ->
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(handle -> found.put(handle, line)));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc", e);
    }
    return found;
  }

  /**
   * SIGKILL to these processes and all their descendants at once (collected first, so a parent's death cannot hide
   * a child), then waits (bounded) until all are gone. Returns "pid command line" of what was killed.
   */
  public static List<String> killTrees(Collection<ProcessHandle> roots) {
    Map<ProcessHandle, String> all = new LinkedHashMap<>();
    for (ProcessHandle root : roots) {
      all.put(root, commandLine(root.pid()).orElse("?"));
      root.descendants().forEach(child -> all.put(child, commandLine(child.pid()).orElse("?")));
    }
    all.keySet().forEach(ProcessHandle::destroyForcibly);
    List<String> killed = new ArrayList<>();
    all.forEach((handle, line) -> {
      try {
        handle.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("process " + handle.pid() + " (" + line + ") did not die on SIGKILL", e);
      }
      killed.add(handle.pid() + " " + line);
    });
    return killed;
  }

  /**
   * Sends {@code signal} (a name such as {@code STOP} or {@code CONT}) to these processes and all their descendants,
   * with {@code kill}: a paused server (SIGSTOP, what {@code docker pause} amounts to) keeps its sockets open and
   * answers nothing. Returns the pids signalled.
   */
  public static List<Long> signalTrees(String signal, Collection<ProcessHandle> roots) throws IOException,
      InterruptedException {
    List<Long> pids = new ArrayList<>();
    for (ProcessHandle root : roots) {
      pids.add(root.pid());
      root.descendants().forEach(child -> pids.add(child.pid()));
    }
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException(command + " failed: " + output);
    }
    return pids;
  }

  /** The PostgreSQL postmaster serving {@code dataDir}: the first line of its {@code postmaster.pid}. */
  public static ProcessHandle postmaster(Path dataDir) throws IOException {
    String pid = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8).get(0).trim();
    return ProcessHandle.of(Long.parseLong(pid))
        .orElseThrow(() -> new IllegalStateException("postmaster " + pid + " of " + dataDir + " is not running"));
  }

  /** {@link #killTrees} of every process whose command line contains {@code text}. */
  public static List<String> killAllMentioning(String text) {
    return killTrees(mentioning(text).keySet());
  }
}
