package com.reactiveshop.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Real PostgreSQL binaries (zonky) on 127.0.0.1, with a database made for the caller. With a data directory the data
 * survives a restart; without one it lives in a temporary directory.
 */
public final class EmbeddedPostgres implements AutoCloseable {

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;
  private final String database;

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres, String database) {
    this.postgres = postgres;
    this.database = database;
  }

  public static EmbeddedPostgres start(Path dataDir, int port, String database) {
    try {
      var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "100")
          .setPort(port == 0 ? EmbeddedNats.FreePorts.pick() : port);
      if (dataDir != null) {
        // Data meant to be kept: a commit is on disk when it is acknowledged (zonky turns this off for speed).
        builder.setDataDirectory(Files.createDirectories(dataDir)).setCleanDataDirectory(false)
            .setServerConfig("synchronous_commit", "on");
      }
      EmbeddedPostgres pg = new EmbeddedPostgres(builder.start(), database);
      pg.createDatabaseIfMissing();
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start embedded PostgreSQL", e);
    }
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
      throw new IllegalStateException("Could not create database " + database, e);
    }
  }

  /** {@code postgresql://postgres:postgres@127.0.0.1:PORT/DATABASE} (local connections are trusted). */
  public String uri() {
    return "postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/" + database;
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
