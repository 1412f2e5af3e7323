package com.reactiveshop.embedded;

import io.nats.NatsServerRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real {@code nats-server} (from PATH) started as a child process on 127.0.0.1 with JetStream and a private store
 * directory: the server's defaults would listen on every interface and share {@code /tmp/nats/jetstream}.
 */
public final class EmbeddedNats implements AutoCloseable {

  private final NatsServerRunner runner;
  private final int port;
  private final Path storeDir;

  private EmbeddedNats(NatsServerRunner runner, int port, Path storeDir) {
    this.runner = runner;
    this.port = port;
    this.storeDir = storeDir;
  }

  /** Starts on {@code port} (0 picks a free one) with JetStream data in {@code storeDir} (null: a temporary one). */
  public static EmbeddedNats start(int port, Path storeDir) {
    return start(port, storeDir, false);
  }

  /**
   * As {@link #start(int, Path)}; with {@code detached} the server runs in its own session, so a Ctrl-C in the
   * terminal reaches only the JVM, which then drains its NATS connection before it stops the server itself.
   */
  public static EmbeddedNats start(int port, Path storeDir, boolean detached) {
    try {
      int chosen = port == 0 ? FreePorts.pick() : port;
      Path dir = storeDir != null ? Files.createDirectories(storeDir) : Files.createTempDirectory("nats-js-");
      var builder = NatsServerRunner.builder();
      if (detached) {
        builder.executablePath(detachedLauncher());
      }
      NatsServerRunner runner = builder
          .port(chosen)
          .jetstream(true)
          .customArgs(new String[] {"-a", "127.0.0.1", "-sd", dir.toAbsolutePath().toString()})
          .output(new NatsServerOutput())
          .build();
      return new EmbeddedNats(runner, chosen, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start nats-server (is it on PATH?)", e);
    }
  }

  /** A two-line script that starts nats-server from PATH in a new session (setsid keeps the same pid). */
  private static Path detachedLauncher() throws IOException {
    Path script = Files.createTempFile("nats-server-detached-", ".sh");
    Files.writeString(script, "#!/bin/sh\nexec setsid nats-server \"$@\"\n");
    script.toFile().setExecutable(true);
    script.toFile().deleteOnExit();
    return script;
  }

  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path storeDir() {
    return storeDir;
  }

  @Override
  public void close() {
    try {
      runner.shutdown(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static final class FreePorts {
    private FreePorts() {
    }

    static int pick() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }
  }
}
