package com.reactiveshop.common.http;

import io.vertx.sqlclient.DatabaseException;

import java.util.Set;

/**
 * Tells a store or broker that does not answer (connection refused or lost, no server selectable in time, a server
 * shutting down or out of resources) from a bug, so the client gets the contract's fast 503 instead of a 500.
 *
 * <p>Failures are matched by type, walking each cause's class hierarchy by name (the common module must not pull every
 * driver in), so subclasses count too: {@code MongoSocketReadTimeoutException} is a {@code MongoSocketException},
 * {@code MongoTimeoutException} and {@code MongoExecutionTimeoutException} are {@code MongoTimeoutException}s or
 * named below. A database error with a SQLSTATE of class 08 (connection), 53 (insufficient resources) or 57
 * (operator intervention: shutdown, statement timeout, cancel) is unavailability too.
 */
public final class Unavailability {

  private static final Set<String> UNAVAILABLE = Set.of(
      "java.net.ConnectException",
      // "Connection reset": PostgreSQL's connection dropped under a statement in flight (a server stopping).
      "java.net.SocketException",
      "java.nio.channels.ClosedChannelException",
      "java.util.concurrent.TimeoutException",
      "io.netty.channel.ConnectTimeoutException",
      "io.vertx.core.impl.NoStackTraceTimeoutException",
      "io.vertx.core.http.ConnectionPoolTooBusyException",
      "io.vertx.sqlclient.ClosedConnectionException",
      "com.mongodb.MongoTimeoutException",
      "com.mongodb.MongoExecutionTimeoutException",
      "com.mongodb.MongoSocketException",
      "com.mongodb.MongoNotPrimaryException",
      "com.mongodb.MongoNodeIsRecoveringException",
      "com.mongodb.MongoConnectionPoolClearedException");
  private static final Set<String> UNAVAILABLE_SQLSTATE_CLASSES = Set.of("08", "53", "57");

  private Unavailability() {
  }

  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
        if (UNAVAILABLE.contains(type.getName())) {
          return true;
        }
      }
      if (isUnavailableSqlState(t) || isPoolWaitTimeout(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The SQL client's pool gives up waiting for a connection with a plain {@code VertxException} (no type of its own),
   * so only its message tells it apart: every connection is busy with a database that does not answer.
   */
  private static boolean isPoolWaitTimeout(Throwable t) {
    return t.getClass().getName().equals("io.vertx.core.VertxException")
        && "Timeout waiting for connection".equals(t.getMessage());
  }

  private static boolean isUnavailableSqlState(Throwable t) {
    try {
      if (t instanceof DatabaseException database) {
        String state = database.getSqlState();
        return state != null && state.length() >= 2 && UNAVAILABLE_SQLSTATE_CLASSES.contains(state.substring(0, 2));
      }
    } catch (NoClassDefFoundError absent) {
      // No SQL client in this process: nothing of its kind can be thrown either.
    }
    return false;
  }

  public static ApiError toApiError() {
    return ApiError.unavailable("dependency_unavailable",
        "A store or service this request needs is not answering; try again shortly.", 1);
  }
}
