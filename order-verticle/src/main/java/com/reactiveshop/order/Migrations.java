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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the versioned SQL files under {@code db/migration/} once, in version order, and records each in
 * {@code schema_migrations}. Every verticle instance (and every process) calls this at start; a transaction-scoped
 * advisory lock makes them take turns, so the first applies what is missing and the others find it recorded.
 */
final class Migrations {

  /** Add new files here, in order; a file once released is never edited, only followed by a new version. */
  static final List<String> FILES = List.of("V1__orders_outbox_idempotency.sql",
      "V2__outbox_order_leases_retention.sql", "V3__outbox_traceparent.sql");

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");
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
    return FILES.stream().map(Migrations::read).toList();
  }

  private static Migration read(String file) {
    Matcher name = FILE_NAME.matcher(file);
    if (!name.matches()) {
      throw new IllegalStateException("Migration file name must look like V1__description.sql: " + file);
    }
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream("db/migration/" + file)) {
      if (in == null) {
        throw new IllegalStateException("Missing migration db/migration/" + file);
      }
      return new Migration(Integer.parseInt(name.group(1)), name.group(2),
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
