package com.reactiveshop.order;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the versioned SQL files under {@code db/migration/} once, in version order, and records each in
 * {@code schema_migrations}. Every verticle instance (and every process) calls this at start; a transaction-scoped
 * advisory lock makes them take turns, so the first applies what is missing and the others find it recorded.
 * <p>
 * The files are found through {@value #INDEX}, which the build writes (order-verticle/pom.xml) with every
 * {@code .sql} file of the directory: adding a migration is adding its file. A file once released is never edited,
 * only followed by a new version.
 */
final class Migrations {

  private static final String DIRECTORY = "db/migration/";
  static final String INDEX = DIRECTORY + "index.txt";

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");
  /** The migration files, in version order. */
  static final List<String> FILES = files(read(INDEX));
  /** "ORDER" in ASCII: names the lock; only this service's migrations take it. */
  private static final long LOCK_KEY = 0x4F52444552L;

  private Migrations() {
  }

  record Migration(int version, String description, String sql) {
  }

  static Future<Void> apply(Vertx vertx, OrderDatabase database) {
    // Reading resources from the class path touches the disk: off the event loop.
    return vertx.executeBlocking(Migrations::load, false).compose(migrations -> database.inTransaction(conn ->
        conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
            // "relation already exists, skipping" on every start after the first is noise.
            .compose(v -> conn.query("SET LOCAL client_min_messages = warning").execute())
            .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
                + "version integer PRIMARY KEY, description text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now())").execute())
            .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
            .compose(rows -> {
              Set<Integer> applied = new HashSet<>();
              for (Row row : rows) {
                applied.add(row.getInteger(0));
              }
              Future<Void> chain = Future.succeededFuture();
              for (Migration migration : migrations) {
                if (!applied.contains(migration.version())) {
                  chain = chain.compose(v -> run(conn, migration));
                }
              }
              return chain;
            })));
  }

  private static Future<Void> run(SqlConnection conn, Migration migration) {
    LOG.info("Applying migration V{} {}", migration.version(), migration.description());
    // A simple (unprepared) query may hold several statements.
    return conn.query(migration.sql()).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)")
            .execute(Tuple.of(migration.version(), migration.description())))
        .mapEmpty();
  }

  static List<Migration> load() {
    return FILES.stream().map(file -> {
      Matcher name = name(file);
      return new Migration(Integer.parseInt(name.group(1)), name.group(2), read(DIRECTORY + file));
    }).toList();
  }

  /** The index's file names in version order; a name of the wrong shape or a version used twice is a build error. */
  static List<String> files(String index) {
    Map<Integer, String> byVersion = new TreeMap<>();
    index.lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(file -> {
      String other = byVersion.put(Integer.parseInt(name(file).group(1)), file);
      if (other != null) {
        throw new IllegalStateException("Two migrations have one version: " + other + ", " + file);
      }
    });
    return List.copyOf(byVersion.values());
  }

  private static Matcher name(String file) {
    Matcher name = FILE_NAME.matcher(file);
    if (!name.matches()) {
      throw new IllegalStateException("Migration file name must look like V1__description.sql: " + file);
    }
    return name;
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing " + resource + " on the class path (the build writes the index)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
