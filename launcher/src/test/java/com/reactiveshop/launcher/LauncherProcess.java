package com.reactiveshop.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The launcher jar run as its own OS process, as a user or a container would run it. */
final class LauncherProcess implements AutoCloseable {

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final Process process;
  final Path log;

  private LauncherProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static LauncherProcess start(String name, Map<String, String> env, String... args) throws IOException {
    String jar = System.getProperty("launcher.jar", "target/reactive-shop.jar");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar));
    command.addAll(List.of(args));
    Path log = Files.createTempFile("launcher-" + name + "-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.endsWith("_URI") || k.endsWith("_URL") || k.endsWith("_PORT"));
    builder.environment().putAll(env);
    return new LauncherProcess(name, builder.start(), log);
  }

  /** Waits until {@code url} answers 200 (bounded); fails with the process's log otherwise. */
  void awaitReady(String url) throws Exception {
    for (int attempt = 0; attempt < 240; attempt++) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited early:\n" + output());
      }
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError(name + " did not become ready at " + url + ":\n" + output());
  }

  /** Waits (bounded) until the process has printed {@code text}. */
  void awaitOutput(String text) throws Exception {
    for (int attempt = 0; attempt < 240 && !output().contains(text); attempt++) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited early:\n" + output());
      }
      Thread.sleep(250);
    }
    if (!output().contains(text)) {
      throw new AssertionError(name + " never printed '" + text + "':\n" + output());
    }
  }

  /** SIGTERM, as Ctrl-C or a container stop sends; returns the exit code. */
  int stop() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not stop on SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  /** SIGKILL: the process dies without any clean-up. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * A port free right now and not handed out before by this JVM: the system may give the same ephemeral port to two
   * binds in a row once the first is closed, and a test that asks for several ports at once needs them distinct.
   */
  static int freePort() throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }
}
