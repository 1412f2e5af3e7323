package com.reactiveshop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mongo.MongoClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the stores' own counters. MongoDB: {@code serverStatus} of the MongoDB-wire server, its non-standard
 * {@code opcountersByCommand} (absent: "n/a") and the standard {@code opcounters}. PostgreSQL:
 * {@code xact_commit + xact_rollback} of the order-service database from {@code pg_stat_database}, and the next
 * transaction id (how many transactions wrote), read over a connection to the {@code postgres} database so the
 * readings do not count themselves.
 */
final class StoreCounters implements AutoCloseable {

  /** One reading; a null part could not be read ({@code mongoNote} / {@code pgNote} say why). */
  record Snapshot(Map<String, Long> mongoByCommand, Map<String, Long> mongoOpcounters,
                  Map<String, Long> mongoGroupCommit, String mongoNote, Long pgXacts, Long pgNextXid, String pgNote) {
  }

  private final MongoClient mongo;
  private final Pool pg;
  private final String pgDatabase;

  StoreCounters(Vertx vertx, String mongoUri, String pgUri) {
    this.mongo = mongoUri == null ? null : MongoClient.create(vertx, new JsonObject()
        .put("connection_string", mongoUri).put("db_name", "admin").put("serverSelectionTimeoutMS", 3000));
    if (pgUri == null) {
      this.pg = null;
      this.pgDatabase = null;
    } else {
      URI uri = URI.create(pgUri);
      this.pgDatabase = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
      PgConnectOptions options = PgConnectOptions.fromUri(pgUri).setDatabase("postgres");
      this.pg = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(options).using(vertx).build();
    }
  }

  Snapshot read() {
    Map<String, Long> byCommand = null;
    Map<String, Long> opcounters = null;
    Map<String, Long> groupCommit = null;
    String mongoNote = null;
    if (mongo == null) {
      mongoNote = "no MongoDB URI";
    } else {
      try {
        JsonObject status = Http.await(mongo.runCommand("serverStatus", new JsonObject().put("serverStatus", 1)), 10);
        byCommand = longs(status.getValue("opcountersByCommand"));
        opcounters = longs(status.getValue("opcounters"));
        groupCommit = longs(status.getValue("groupCommit")); // the embedded server's durable commits, if it is one
        if (byCommand == null) {
          mongoNote = "serverStatus has no opcountersByCommand";
        }
      } catch (RuntimeException e) {
        mongoNote = "serverStatus failed: " + e.getMessage();
      }
    }
    Long xacts = null;
    Long nextXid = null;
    String pgNote = null;
    if (pg == null) {
      pgNote = "no PostgreSQL URI";
    } else {
      try {
        Row row = Http.await(pg.preparedQuery("SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database"
                + " WHERE datname = $1) AS xacts, txid_snapshot_xmax(txid_current_snapshot()) AS next_xid")
            .execute(Tuple.of(pgDatabase)), 10).iterator().next();
        xacts = row.getLong("xacts");
        nextXid = row.getLong("next_xid");
        if (xacts == null) {
          pgNote = "no pg_stat_database row for " + pgDatabase;
        }
      } catch (RuntimeException e) {
        pgNote = "pg_stat_database failed: " + e.getMessage();
      }
    }
    return new Snapshot(byCommand, opcounters, groupCommit, mongoNote, xacts, nextXid, pgNote);
  }

  /** A JSON object of numbers as a map; null when it is not an object. */
  static Map<String, Long> longs(Object value) {
    if (!(value instanceof JsonObject json)) {
      return null;
    }
    Map<String, Long> out = new LinkedHashMap<>();
    json.forEach(e -> {
      if (e.getValue() instanceof Number n) {
        out.put(e.getKey(), n.longValue());
      }
    });
    return out;
  }

  String pgDatabase() {
    return pgDatabase;
  }

  @Override
  public void close() {
    if (mongo != null) {
      try {
        Http.await(mongo.close(), 10);
      } catch (RuntimeException ignored) {
        // closing only
      }
    }
    if (pg != null) {
      try {
        Http.await(pg.close(), 10);
      } catch (RuntimeException ignored) {
        // closing only
      }
    }
  }
}
