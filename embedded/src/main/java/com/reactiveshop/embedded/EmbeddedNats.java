package com.reactiveshop.embedded;

import io.nats.NatsServerRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real {@code nats-server} (from PATH) started as a child process on 127.0.0.1 with JetStream and a private store
 * directory: the server's defaults would listen on every interface and share {@code /tmp/nats/jetstream}.
 *
 * <p>The server runs under a small shell wrapper whose standard input is a pipe from this JVM: when the JVM is gone
 * (even after {@code kill -9}) the pipe closes and the wrapper stops the server, so it never outlives its owner. The
 * wrapper passes SIGTERM and SIGINT on to the server and exits with it.
 */
public final class EmbeddedNats implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNats.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  /**
   * The wrapper. When detached ({@code @SETSID@} is 1) it first moves into a new session (setsid keeps the pid), so a
   * Ctrl-C in the terminal reaches only the JVM, which stops the server itself after draining its connection.
   */
  private static final String WRAPPER = """
      #!/bin/sh
      # nats-server, stopped when the JVM that started it is gone: our stdin is a pipe from that JVM.
      if [ "${REACTIVE_SHOP_SETSID:-@SETSID@}" = 1 ]; then
        REACTIVE_SHOP_SETSID=0 exec setsid "$0" "$@"
      fi
      exec 3<&0
      nats-server "$@" </dev/null 3<&- &
      server=$!
      trap 'kill -TERM $server 2>/dev/null' TERM
      trap 'kill -INT $server 2>/dev/null' INT
      trap '' HUP
      ( read -r _ <&3; kill -TERM $server 2>/dev/null ) </dev/null &
      watcher=$!
      exec 3<&-
      status=0
      while :; do
        wait $server
        status=$?
        kill -0 $server 2>/dev/null || break
      done
      kill $watcher 2>/dev/null
      exit $status
      """;

  private final NatsServerRunner runner;
  private final int port;
  private final Path storeDir;
  private final Path script;
  private final ProcessHandle wrapper;

  private EmbeddedNats(NatsServerRunner runner, int port, Path storeDir, Path script, ProcessHandle wrapper) {
    this.runner = runner;
    this.port = port;
    this.storeDir = storeDir;
    this.script = script;
    this.wrapper = wrapper;
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
    Path script = null;
    try {
      int chosen = port == 0 ? FreePorts.pick() : port;
      Path dir = (storeDir != null ? Files.createDirectories(storeDir) : Files.createTempDirectory("nats-js-"))
          .toAbsolutePath().normalize();
      script = wrapperScript(detached);
      Path launcher = script;
      NatsServerRunner runner = NatsServerRunner.builder()
          .executablePath(launcher)
          .port(chosen)
          .jetstream(true)
          .customArgs(new String[] {"-a", "127.0.0.1", "-sd", dir.toString()})
          .output(new NatsServerOutput())
          // The runner's own check connects and then waits about 2 s for an answer it never gets (most of this
          // server's start time); awaitReady below checks the same thing in a few milliseconds.
          .skipConnectValidate()
          .build();
      ProcessHandle wrapper = ProcessHandle.current().children()
          .filter(p -> ServerProcesses.arguments(p.pid()).contains(launcher.toString()))
          .findFirst().orElse(null);
      EmbeddedNats nats = new EmbeddedNats(runner, chosen, dir, script, wrapper);
      try {
        awaitReady(chosen, wrapper);
      } catch (RuntimeException e) {
        nats.close();
        throw e;
      }
      return nats;
    } catch (IOException e) {
      deleteQuietly(script);
      throw new UncheckedIOException("Could not start nats-server (is it on PATH?): " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(script);
      throw e;
    }
  }

  /**
   * Returns once a NATS server answers on the port (its first bytes are {@code INFO}), polling every 10 ms; fails when
   * the wrapper has ended (the server could not start: its output is in the log) or after {@link #READY_TIMEOUT}.
   */
  private static void awaitReady(int port, ProcessHandle wrapper) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        socket.setSoTimeout(1000);
        byte[] head = socket.getInputStream().readNBytes(4);
        if (new String(head, StandardCharsets.US_ASCII).equals("INFO")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (wrapper != null && !wrapper.isAlive()) {
        throw new IllegalStateException("nats-server exited while starting on port " + port + " (see its output)");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nats-server did not answer on port " + port + " within "
            + READY_TIMEOUT.toSeconds() + " s");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for nats-server", e);
      }
    }
  }

  /**
   * Stops nats-server processes that serve {@code storeDir} and were left running by an earlier run (a launcher
   * killed before this version watched its children, or a wrapper killed together with its JVM). Call it only while
   * holding the data directory, so no live owner can use this store: two servers must never share one store.
   */
  public static void stopLeftovers(Path storeDir) {
    String dir = storeDir.toAbsolutePath().normalize().toString();
    List<ProcessHandle> leftovers = ServerProcesses.matching(args -> !args.isEmpty()
        && args.get(0).endsWith("nats-server") && ServerProcesses.hasOption(args, "-sd", dir));
    if (!leftovers.isEmpty()) {
      LOG.warn("Stopping nats-server left running on {} by an earlier run (pid {})", dir,
          leftovers.stream().map(ProcessHandle::pid).toList());
      ServerProcesses.stop(leftovers, "TERM", STOP_GRACE);
    }
    // Wrappers of an earlier run that are still stopping their server.
    List<ProcessHandle> wrappers = ServerProcesses.matching(args -> args.size() > 1
        && args.get(1).contains("nats-server-wrapper-") && ServerProcesses.hasOption(args, "-sd", dir));
    ServerProcesses.awaitGone(wrappers, Duration.ofSeconds(5));
  }

  private static Path wrapperScript(boolean detached) throws IOException {
    Path script = Files.createTempFile("nats-server-wrapper-", ".sh");
    Files.writeString(script, WRAPPER.replace("@SETSID@", detached ? "1" : "0"));
    script.toFile().setExecutable(true);
    script.toFile().deleteOnExit();
    return script;
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a temporary file
      }
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

  /** The wrapper process (its child is nats-server), when it could be found. */
  public Optional<ProcessHandle> process() {
    return Optional.ofNullable(wrapper);
  }

  /** SIGTERM to the server (through its wrapper), waits up to 10 s, then SIGKILL. */
  @Override
  public void close() {
    try {
      if (wrapper == null) {
        runner.shutdown(true);
        return;
      }
      List<ProcessHandle> tree = new ArrayList<>(wrapper.descendants().toList());
      tree.add(0, wrapper);
      runner.shutdown(false);
      if (!ServerProcesses.awaitGone(tree, STOP_GRACE)) {
        LOG.warn("nats-server did not stop within {} s: killing it", STOP_GRACE.toSeconds());
        tree.forEach(ProcessHandle::destroyForcibly);
        ServerProcesses.awaitGone(tree, Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deleteQuietly(script);
    }
  }

  static final class FreePorts {
    private FreePorts() {
    }

    static int pick() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }
  }
}
