package com.reactiveshop.common.http;

import java.util.Set;

/**
 * Tells a store or broker that does not answer (connection refused or lost, no server selectable in time) from a
 * bug, so the client gets the contract's fast 503 instead of a 500. Matched by class name, because the common
 * module must not pull every driver in.
 */
public final class Unavailability {

  private static final Set<String> UNAVAILABLE = Set.of(
      "java.net.ConnectException",
      "java.nio.channels.ClosedChannelException",
      "io.netty.channel.ConnectTimeoutException",
      "io.vertx.core.impl.NoStackTraceTimeoutException",
      "io.vertx.core.http.ConnectionPoolTooBusyException",
      "io.vertx.sqlclient.ClosedConnectionException",
      "com.mongodb.MongoTimeoutException",
      "com.mongodb.MongoSocketException",
      "com.mongodb.MongoSocketOpenException",
      "com.mongodb.MongoSocketReadException",
      "com.mongodb.MongoSocketWriteException",
      "com.mongodb.MongoSocketClosedException",
      "com.mongodb.MongoNotPrimaryException",
      "com.mongodb.MongoNodeIsRecoveringException");

  private Unavailability() {
  }

  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (UNAVAILABLE.contains(t.getClass().getName())) {
        return true;
      }
    }
    return false;
  }

  public static ApiError toApiError() {
    return ApiError.unavailable("dependency_unavailable",
        "A store or service this request needs is not answering; try again shortly.", 1);
  }
}
