package com.reactiveshop.embedded;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The MongoDB wire protocol served by mongo-java-server on 127.0.0.1: in memory, or in an H2 file so data survives a
 * restart. Used where no {@code mongod} is given.
 */
public final class EmbeddedMongo implements AutoCloseable {

  private final Path dataFile;
  private final int port;
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
    MongoBackend backend = dataFile == null ? new MemoryBackend() : new H2Backend(dataFile.toString());
    server = new MongoServer(backend);
    server.bind(new InetSocketAddress("127.0.0.1", port));
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
