package com.reactiveshop.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A ceiling server in its own JVM (as the services have theirs), started from this jar. It lives until its standard
 * input closes (so it never outlives the kit, even when the kit is killed) or for at most an hour.
 */
final class Child implements AutoCloseable {

  private final String name;
  private final Process process;

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  static Child start(String name, Path log, String... args) throws IOException, InterruptedException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar = Path.of(System.getProperty("java.class.path").split(File.pathSeparator)[0]).toString();
    List<String> command = new ArrayList<>(List.of(javaBin, "-cp", jar, Main.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Child child = new Child(name, process);
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); var out = Files.newBufferedWriter(log)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write(line);
          out.newLine();
          out.flush();
          if (line.startsWith("READY")) {
            ready.complete(line);
          }
        }
      } catch (IOException ignored) {
        // the child is gone
      }
      ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready; see " + log));
    }, name + "-output");
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      child.close();
      throw new IllegalStateException(name + " did not start: " + e.getMessage(), e);
    }
    return child;
  }

  long pid() {
    return process.pid();
  }

  /** In the child: exit when the parent closes our standard input, or after an hour at the latest. */
  static void exitWithParent() {
    Thread watch = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // nothing is sent; EOF means the parent is gone
        }
      } catch (IOException ignored) {
        // same
      }
      Runtime.getRuntime().halt(0);
    }, "parent-watch");
    watch.setDaemon(true);
    watch.start();
    Thread limit = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.HOURS.toMillis(1));
      } catch (InterruptedException ignored) {
        return;
      }
      Runtime.getRuntime().halt(0);
    }, "lifetime-limit");
    limit.setDaemon(true);
    limit.start();
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // already closed
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
