package com.reactiveshop.launcher;

import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The NATS server, MongoDB and PostgreSQL this process uses: the ones named by {@code NATS_URL}, {@code MONGO_URI}
 * and {@code PG_URI}, or embedded ones started here (data under the data directory, so a second run keeps it).
 * Embedded servers take their usual ports (4222, 27017, 5432) when free, so the {@code nats} CLI and database
 * tools find them without options.
 */
public final class Infrastructure implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

  private final List<AutoCloseable> embedded = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private String natsUrl;
  private String mongoUri;
  private String pgUri;

  public static Infrastructure start(LaunchOptions options) {
    Infrastructure infra = new Infrastructure();
    try {
      infra.startAll(options);
      return infra;
    } catch (RuntimeException e) {
      infra.close();
      throw e;
    }
  }

  private void startAll(LaunchOptions options) {
    natsUrl = options.env("NATS_URL");
    if (natsUrl == null) {
      EmbeddedNats nats = EmbeddedNats.start(preferred(4222), options.dataDir().resolve("nats"), true);
      embedded.add(nats);
      natsUrl = nats.url();
      notes.add("embedded nats-server " + natsUrl + " (JetStream data in " + nats.storeDir() + ")");
    }
    boolean needsMongo = options.runs("user") || options.runs("product");
    mongoUri = options.env("MONGO_URI");
    if (mongoUri == null && needsMongo) {
      var file = options.dataDir().resolve("mongo").resolve("mongo.mv");
      EmbeddedMongo mongo = EmbeddedMongo.start(file, preferred(27017));
      embedded.add(mongo);
      mongoUri = mongo.uri();
      notes.add("embedded MongoDB-wire server " + mongoUri + " (data in " + file + ")");
    }
    pgUri = options.env("PG_URI");
    if (pgUri == null && options.runs("order")) {
      var dir = options.dataDir().resolve("postgres");
      EmbeddedPostgres pg = EmbeddedPostgres.start(dir, preferred(5432), "order-service");
      embedded.add(pg);
      pgUri = pg.uri();
      notes.add("embedded PostgreSQL " + pgUri + " (data in " + dir + ")");
    }
    notes.forEach(note -> LOG.info("Started {}", note));
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

  /** Stops what was started here, last started first. */
  @Override
  public void close() {
    for (int i = embedded.size() - 1; i >= 0; i--) {
      try {
        embedded.get(i).close();
      } catch (Exception e) {
        LOG.warn("Could not stop an embedded server cleanly: {}", e.toString());
      }
    }
    embedded.clear();
  }
}
