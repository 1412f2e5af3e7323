package com.reactiveshop.common.http;

import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.internal.ContextInternal;
import io.vertx.sqlclient.DatabaseException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which failures are "a dependency does not answer" (503) and which are bugs (500). */
class UnavailabilityTest {

  private static DatabaseException sql(String state) {
    return new DatabaseException("failed", 0, state) {
    };
  }

  @Test
  void driverTimeoutsCountByTypeIncludingSubclassesAndCauses() {
    assertTrue(Unavailability.isUnavailable(new MongoTimeoutException("no server")));
    assertTrue(Unavailability.isUnavailable(new MongoSocketReadTimeoutException("slow",
        new ServerAddress("127.0.0.1", 1), new IOException("read timed out"))));
    assertTrue(Unavailability.isUnavailable(new RuntimeException("wrapped", new MongoTimeoutException("no server"))));
  }

  @Test
  void sqlStatesOfConnectionResourceAndOperatorClassesAreUnavailability() {
    assertTrue(Unavailability.isUnavailable(sql("08006")), "connection failure");
    assertTrue(Unavailability.isUnavailable(sql("53300")), "too many connections");
    assertTrue(Unavailability.isUnavailable(sql("57014")), "statement timeout / cancel");
    assertTrue(Unavailability.isUnavailable(sql("57P01")), "admin shutdown");
    assertFalse(Unavailability.isUnavailable(sql("23505")), "a unique violation is a bug or a conflict");
    assertFalse(Unavailability.isUnavailable(sql(null)));
  }

  /** A store stopped under a statement in flight: the PostgreSQL client failed it with the socket's own exception. */
  @Test
  void aConnectionResetUnderAStatementIsUnavailability() {
    assertTrue(Unavailability.isUnavailable(new SocketException("Connection reset")));
    assertTrue(Unavailability.isUnavailable(new RuntimeException("wrapped", new SocketException("Broken pipe"))));
  }

  /** PostgreSQL that does not answer at all: the pool's wait for a connection, or the service's own time limit. */
  @Test
  void noConnectionInTimeAndAnOperationGivenUpOnAreUnavailability() throws Exception {
    assertTrue(Unavailability.isUnavailable(new VertxException("Timeout waiting for connection", true)));
    assertFalse(Unavailability.isUnavailable(new VertxException("Something else", true)));
    Vertx vertx = Vertx.vertx();
    try {
      Throwable givenUp = ((ContextInternal) vertx.getOrCreateContext()).<Void>promise().future().timeout(1, TimeUnit.MILLISECONDS)
          .toCompletionStage().toCompletableFuture().handle((v, failure) -> failure).get(10, TimeUnit.SECONDS);
      assertTrue(Unavailability.isUnavailable(givenUp), String.valueOf(givenUp));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void ordinaryFailuresAreNot() {
    assertFalse(Unavailability.isUnavailable(new IllegalStateException("bug")));
    assertFalse(Unavailability.isUnavailable(null));
  }
}
