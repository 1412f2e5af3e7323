package com.reactiveshop.launcher;

import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The NATS server, MongoDB and PostgreSQL this process uses: the ones named by {@code NATS_URL}, {@code MONGO_URI}
 * and {@code PG_URI}, or embedded ones started here (data under the data directory, so a second run keeps it).
 * Embedded servers take their usual ports (4222, 27017, 5432) when free, so the {@code nats} CLI and database
 * tools find them without options.
 *
 * <p>While embedded servers run, this process holds a lock on the data directory ({@code launcher.lock}): a second
 * launcher on the same directory stops with a clear message, and a start that gets the lock knows that any embedded
 * server still running on the directory is a leftover of a dead run, and stops it first.
 */
public final class Infrastructure implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);
  private static final String LOCK_FILE = "launcher.lock";

  private final List<AutoCloseable> embedded = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private FileChannel lockChannel;
  private FileLock lock;
  private String natsUrl;
  private String mongoUri;
  private String pgUri;

  public static Infrastructure start(LaunchOptions options) {
    return start(options, () -> false);
  }

  /**
   * Starts what is missing; {@code cancelled} is checked between servers. On failure (or cancellation) what was
   * started is stopped again before the exception is thrown.
   */
  public static Infrastructure start(LaunchOptions options, BooleanSupplier cancelled) {
    Infrastructure infra = new Infrastructure();
    try {
      infra.startAll(options, cancelled);
      return infra;
    } catch (RuntimeException e) {
      infra.close();
      throw e;
    }
  }

  private void startAll(LaunchOptions options, BooleanSupplier cancelled) {
    boolean needsMongo = options.runs(Part.USER.key()) || options.runs(Part.PRODUCT.key());
    natsUrl = options.env("NATS_URL");
    mongoUri = options.env("MONGO_URI");
    pgUri = options.env("PG_URI");
    boolean embeddedNats = natsUrl == null;
    boolean embeddedMongo = mongoUri == null && needsMongo;
    boolean embeddedPg = pgUri == null && options.runs(Part.ORDER.key());
    requireExternalWhereAsked(options, embeddedNats, embeddedMongo, embeddedPg);
    if (!embeddedNats && !embeddedMongo && !embeddedPg) {
      return;
    }
    lockDataDir(options.dataDir());
    // The three servers do not depend on each other: they start side by side (PostgreSQL takes the longest).
    ExecutorService starters = Executors.newFixedThreadPool(3, runnable -> {
      Thread thread = new Thread(runnable, "embedded-start");
      thread.setDaemon(true);
      return thread;
    });
    try {
      Future<EmbeddedNats> nats = embeddedNats ? starters.submit(() -> {
        checkCancelled(cancelled, "nats-server");
        Path dir = options.dataDir().resolve("nats");
        EmbeddedNats.stopLeftovers(dir);
        return timed("nats-server", () -> EmbeddedNats.start(preferred(4222), dir, true));
      }) : null;
      Path mongoFile = options.dataDir().resolve("mongo").resolve("mongo.mv");
      Future<EmbeddedMongo> mongo = embeddedMongo ? starters.submit(() -> {
        checkCancelled(cancelled, "the MongoDB-wire server");
        return timed("MongoDB-wire server", () -> EmbeddedMongo.start(mongoFile, preferred(27017)));
      }) : null;
      Path pgDir = options.dataDir().resolve("postgres");
      Future<EmbeddedPostgres> pg = embeddedPg ? starters.submit(() -> {
        checkCancelled(cancelled, "PostgreSQL");
        // EmbeddedPostgres.start stops leftovers on pgDir itself.
        return timed("PostgreSQL", () -> EmbeddedPostgres.start(pgDir, preferred(5432), "order-service"));
      }) : null;
      // Collected in start order whatever finished first, so close() stops them last started first; a failure is
      // thrown only once every start has ended, so nothing is left running behind it.
      RuntimeException failure = null;
      EmbeddedNats startedNats = null;
      EmbeddedMongo startedMongo = null;
      EmbeddedPostgres startedPg = null;
      try {
        startedNats = join(nats);
      } catch (RuntimeException e) {
        failure = e;
      }
      try {
        startedMongo = join(mongo);
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
      try {
        startedPg = join(pg);
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
      if (startedNats != null) {
        embedded.add(startedNats);
        natsUrl = startedNats.url();
        notes.add("embedded nats-server " + natsUrl + " (JetStream data in " + startedNats.storeDir() + ")");
      }
      if (startedMongo != null) {
        embedded.add(startedMongo);
        mongoUri = startedMongo.uri();
        notes.add("embedded MongoDB-wire server " + Redactions.uri(mongoUri) + " (data in " + mongoFile + ")");
      }
      if (startedPg != null) {
        embedded.add(startedPg);
        pgUri = startedPg.uri();
        notes.add("embedded PostgreSQL " + Redactions.uri(pgUri) + " (data in " + pgDir + ")");
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      starters.shutdown();
    }
    notes.forEach(note -> LOG.info("Started {}", note));
  }

  /**
   * With {@code EMBEDDED=false} (the container image sets it) a missing or blank address is a start failure, not a
   * quiet embedded store whose data is gone at the next container restart.
   */
  private static void requireExternalWhereAsked(LaunchOptions options, boolean nats, boolean mongo, boolean pg) {
    String embedded = options.env("EMBEDDED");
    if (embedded == null || !embedded.trim().equalsIgnoreCase("false")) {
      return;
    }
    List<String> missing = new ArrayList<>();
    if (nats) {
      missing.add("NATS_URL");
    }
    if (mongo) {
      missing.add("MONGO_URI");
    }
    if (pg) {
      missing.add("PG_URI");
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("EMBEDDED=false but " + String.join(", ", missing)
          + (missing.size() == 1 ? " is" : " are") + " not set: set " + (missing.size() == 1 ? "it" : "them")
          + " to the servers to use, or unset EMBEDDED to start embedded ones");
    }
  }

  /** Runs a server's start, logging how long it took (start time is one of the things users measure). */
  private static <T> T timed(String what, Supplier<T> start) {
    long began = System.nanoTime();
    T started = start.get();
    LOG.info("{} ready in {} ms", what, (System.nanoTime() - began) / 1_000_000);
    return started;
  }

  /** The started server, or null when none was asked for; the start's own failure as it was thrown. */
  private static <T> T join(Future<T> start) {
    if (start == null) {
      return null;
    }
    try {
      return start.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime
          : new IllegalStateException(Failures.describe(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the embedded servers", e);
    }
  }

  private static void checkCancelled(BooleanSupplier cancelled, String what) {
    if (cancelled.getAsBoolean()) {
      throw new IllegalStateException("stopped before " + what + " was started");
    }
  }

  /** Takes the data directory for this process, or fails naming the process that has it. */
  private void lockDataDir(Path dataDir) {
    Path file = dataDir.resolve(LOCK_FILE);
    try {
      Files.createDirectories(dataDir);
      lockChannel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      lock = lockChannel.tryLock();
      if (lock == null) {
        String owner = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        lockChannel.close();
        lockChannel = null;
        throw new IllegalStateException("the data directory " + dataDir.toAbsolutePath().normalize()
            + " is in use by another reactive-shop process" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
            + "; stop it or choose another --data-dir");
      }
      lockChannel.truncate(0);
      lockChannel.write(ByteBuffer.wrap(
          Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot use the data directory " + dataDir.toAbsolutePath().normalize()
          + ": " + e.getMessage(), e);
    }
  }

  /** The usual port when nothing listens there, else 0 (a free one). */
  private static int preferred(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return port;
    } catch (IOException e) {
      return 0;
    }
  }

  public String natsUrl() {
    return natsUrl;
  }

  public String mongoUri() {
    return mongoUri;
  }

  public String pgUri() {
    return pgUri;
  }

  public List<String> notes() {
    return notes;
  }

  /** Stops what was started here, last started first, then lets go of the data directory. */
  @Override
  public void close() {
    for (int i = embedded.size() - 1; i >= 0; i--) {
      try {
        embedded.get(i).close();
      } catch (Exception e) {
        LOG.warn("Could not stop an embedded server cleanly: {}", Failures.describe(e));
      }
    }
    embedded.clear();
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      // released with the process anyway
    }
    lock = null;
    lockChannel = null;
  }
}
