package com.reactiveshop.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Real PostgreSQL binaries (zonky) on 127.0.0.1, with a database made for the caller. With a data directory the data
 * survives a restart; without one it lives in a temporary directory.
 *
 * <p>PostgreSQL never outlives this JVM: a watchdog process (a few lines of {@code sh}, in its own session) reads a
 * pipe from this JVM and, when the pipe closes because the JVM is gone (even after {@code kill -9}), stops the
 * postmaster of the data directory (fast shutdown, then immediate, then SIGKILL). A start first stops a postmaster of
 * the same data directory that an earlier, dead run left behind, and removes a stale {@code postmaster.pid}.
 * zonky's own JVM shutdown hook is off: the owner stops PostgreSQL with {@link #close()}, in its own order.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final Duration FAST_STOP_GRACE = Duration.ofSeconds(10);
  /** zonky's lock file in the data directory, held by the JVM that runs PostgreSQL on it. */
  private static final String ZONKY_LOCK = "epg-lock";

  /**
   * $1: the data directory. Blocks on stdin (a pipe from the JVM) until it closes, then stops the postmaster named
   * in postmaster.pid if it runs on that directory (waiting up to 2 s for one still starting).
   */
  private static final String WATCHDOG = """
      read -r _ || true
      dir=$1
      n=0
      while [ $n -lt 20 ]; do
        pm=$(head -n 1 "$dir/postmaster.pid" 2>/dev/null)
        if [ -n "$pm" ] && tr '\\0' '\\n' < /proc/$pm/cmdline 2>/dev/null | grep -qxF -- "$dir"; then
          kill -INT "$pm" 2>/dev/null
          i=0
          while kill -0 "$pm" 2>/dev/null; do
            i=$((i+1))
            [ $i -eq 100 ] && kill -QUIT "$pm" 2>/dev/null
            [ $i -ge 150 ] && { kill -KILL "$pm" 2>/dev/null; break; }
            sleep 0.1
          done
          exit 0
        fi
        n=$((n+1))
        sleep 0.1
      done
      """;

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;
  private final String database;
  private final Process watchdog;
  private final Path dataDirectory;

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres, String database,
                           Process watchdog, Path dataDirectory) {
    this.postgres = postgres;
    this.database = database;
    this.watchdog = watchdog;
    this.dataDirectory = dataDirectory;
  }

  public static EmbeddedPostgres start(Path dataDir, int port, String database) {
    Process watchdog = null;
    io.zonky.test.db.postgres.embedded.EmbeddedPostgres started = null;
    try {
      Path dir = (dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("embedded-pg-"))
          .toAbsolutePath().normalize();
      stopLeftovers(dir);
      var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "100")
          // The owner stops PostgreSQL in its own order (after the services), not in a JVM hook of its own.
          .setRegisterShutdownHook(false)
          .setPort(port == 0 ? EmbeddedNats.FreePorts.pick() : port)
          .setDataDirectory(dir);
      if (dataDir != null) {
        // Data meant to be kept: a commit is on disk when it is acknowledged (zonky turns this off for speed).
        builder.setCleanDataDirectory(false).setServerConfig("synchronous_commit", "on");
      } else {
        builder.setCleanDataDirectory(true);
      }
      // Watching before the postmaster starts: a JVM killed during the start leaves nothing either.
      watchdog = startWatchdog(dir);
      started = builder.start();
      EmbeddedPostgres pg = new EmbeddedPostgres(started, database, watchdog, dir);
      pg.createDatabaseIfMissing();
      return pg;
    } catch (IOException | RuntimeException e) {
      if (started != null) {
        try {
          started.close();
        } catch (IOException | RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      if (watchdog != null) {
        watchdog.destroy();
      }
      String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("Could not start embedded PostgreSQL: " + reason, io);
      }
      throw new IllegalStateException("Could not start embedded PostgreSQL: " + reason, e);
    }
  }

  /**
   * Stops a postmaster that an earlier run left running on {@code dataDir} and removes a {@code postmaster.pid} that
   * names a process that is not a postmaster of this directory (PostgreSQL would refuse to start). Does nothing while
   * a live process (this JVM included) holds the directory's lock, that is, while its owner runs.
   */
  public static void stopLeftovers(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir) || heldByLiveOwner(dir.resolve(ZONKY_LOCK))) {
      return;
    }
    String path = dir.toString();
    List<ProcessHandle> postmasters = new ArrayList<>(ServerProcesses.matching(args -> !args.isEmpty()
        && args.get(0).endsWith("/postgres") && ServerProcesses.hasOption(args, "-D", path)));
    if (!postmasters.isEmpty()) {
      LOG.warn("Stopping PostgreSQL left running on {} by an earlier run (pid {})", path,
          postmasters.stream().map(ProcessHandle::pid).toList());
      ServerProcesses.stop(postmasters, "INT", FAST_STOP_GRACE);
    }
    // A watchdog of an earlier run that is still stopping it.
    ServerProcesses.awaitGone(ServerProcesses.matching(args -> args.size() > 4
        && args.get(args.size() - 2).equals("reactive-shop-pg-watchdog") && args.get(args.size() - 1).equals(path)),
        Duration.ofSeconds(5));
    Path pidFile = dir.resolve("postmaster.pid");
    try {
      if (Files.exists(pidFile)) {
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        long pid = first.matches("\\d+") ? Long.parseLong(first) : -1;
        boolean ours = pid > 0 && ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()
            && ServerProcesses.hasOption(ServerProcesses.arguments(pid), "-D", path);
        if (!ours && pid > 0 && ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()) {
          // Its pid now belongs to another process: PostgreSQL would take it for a live postmaster.
          LOG.warn("Removing stale {} (pid {} is not a PostgreSQL of this directory)", pidFile, pid);
          Files.deleteIfExists(pidFile);
        }
      }
    } catch (IOException e) {
      LOG.warn("Could not check {}: {}", pidFile, e.toString());
    }
  }

  /** True when another live process, or this JVM, holds zonky's lock on the data directory. */
  private static boolean heldByLiveOwner(Path lockFile) {
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Process startWatchdog(Path dir) throws IOException {
    return new ProcessBuilder("setsid", "sh", "-c", WATCHDOG, "reactive-shop-pg-watchdog", dir.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private void createDatabaseIfMissing() {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("CREATE DATABASE \"" + database + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create database " + database + ": " + e.getMessage(), e);
    }
  }

  /** {@code postgresql://postgres:postgres@127.0.0.1:PORT/DATABASE} (local connections are trusted). */
  public String uri() {
    return "postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/" + database;
  }

  public int port() {
    return postgres.getPort();
  }

  /** Where its data lives; its postmaster's command line names it (fault tests find the server by it). */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Stops PostgreSQL ({@code pg_ctl stop -m fast}), then its watchdog. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      watchdog.destroy();
    }
  }
}
