package com.reactiveshop.embedded;

import io.nats.NatsServerRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;

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
    try {
      int chosen = port == 0 ? FreePorts.pick() : port;
      Path dir = storeDir != null ? Files.createDirectories(storeDir) : Files.createTempDirectory("nats-js-");
      NatsServerRunner runner = NatsServerRunner.builder()
          .port(chosen)
          .jetstream(true)
          .customArgs(new String[] {"-a", "127.0.0.1", "-sd", dir.toAbsolutePath().toString()})
          .outputLevel(Level.WARNING)
          .build();
      return new EmbeddedNats(runner, chosen, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start nats-server (is it on PATH?)", e);
    }
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
