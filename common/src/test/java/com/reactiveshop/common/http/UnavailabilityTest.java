package com.reactiveshop.common.http;

import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import io.vertx.sqlclient.DatabaseException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketException;

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

  @Test
  void ordinaryFailuresAreNot() {
    assertFalse(Unavailability.isUnavailable(new IllegalStateException("bug")));
    assertFalse(Unavailability.isUnavailable(null));
  }
}
