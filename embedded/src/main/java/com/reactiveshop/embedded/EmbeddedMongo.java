package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.MongoServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The MongoDB wire protocol served by mongo-java-server on 127.0.0.1: in memory, or in an H2 file so data survives a
 * restart. Used where no {@code mongod} is given.
 *
 * <p>With a file, every write is in the file before it is acknowledged, so it survives a kill -9 of the process (not a
 * power loss: see {@link DurableH2Backend}). Both backends answer {@code serverStatus} with {@code opcounters} and a
 * per-command {@code opcountersByCommand} (see {@link OpCounters}), counted over this object's whole life, across
 * {@link #stop()} and {@link #restart()}.
 */
public final class EmbeddedMongo implements AutoCloseable {

  /**
   * Netty worker threads when serving a file. A write waits on its worker thread for the group commit, and so does
   * every connection Netty pinned to the same worker; with the library's default (2 per core: 4 here) few writes can
   * wait together, so commits are shared by few (2.2 writes per commit measured, 4.5 with 16 or 32 threads) and reads
   * queue behind other connections' commits. A waiting thread costs no CPU. The memory backend never waits: default.
   */
  private static final int FILE_WORKER_THREADS = 32;

  private final Path dataFile;
  private final int port;
  private final OpCounters counters = new OpCounters();
  private MongoServer server;

  private EmbeddedMongo(Path dataFile, int port) {
    this.dataFile = dataFile;
    this.port = port;
  }

  /** In memory, on a free port: for tests. */
  public static EmbeddedMongo inMemory() {
    return start(null, 0);
  }

  /** {@code dataFile} null keeps everything in memory; {@code port} 0 picks a free one. */
  public static EmbeddedMongo start(Path dataFile, int port) {
    try {
      if (dataFile != null) {
        Files.createDirectories(dataFile.toAbsolutePath().getParent());
      }
      EmbeddedMongo mongo = new EmbeddedMongo(dataFile, port == 0 ? EmbeddedNats.FreePorts.pick() : port);
      mongo.bind();
      return mongo;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void bind() {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    MongoServer bound;
    if (dataFile == null) {
      bound = new MongoServer(new CountedMemoryBackend(counters));
      bound.bind(address);
    } else {
      bound = new MongoServer(DurableH2Backend.open(dataFile, counters));
      bound.bind(address, 0, FILE_WORKER_THREADS); // 0: the library's default boss threads
    }
    server = bound; // only once bound: a failed bind (it shuts itself down) leaves restart() free to try again
  }

  public String uri() {
    return "mongodb://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Stops answering (clients see the database as down); in-memory data is lost. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdownNow();
      server = null;
    }
  }

  /** Starts answering again on the same port. */
  public synchronized void restart() {
    if (server == null) {
      bind();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
