package com.reactiveshop.user;

import io.nats.client.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code users.get} and the NATS micro service registration, seen from a separate NATS client. */
class UserNatsTest {

  private static UserServiceFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = new UserServiceFixture();
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
  }

  @Test
  void getFindsAUser() throws Exception {
    JsonObject user = fx.createUser("Nats User", "nats.user@example.com");
    Message reply = fx.natsRequest("users.get", new JsonObject().put("id", user.getString("id")).encode());
    assertNull(reply.getHeaders() == null ? null : reply.getHeaders().getFirst("Nats-Service-Error-Code"));
    assertEquals(user, json(reply));
  }

  @Test
  void unknownUserIs404() throws Exception {
    assertErrorReply(fx.natsRequest("users.get", "{\"id\":\"0123456789abcdef01234567\"}"), 404, "user_not_found");
    assertErrorReply(fx.natsRequest("users.get", "{\"id\":\"short\"}"), 404, "user_not_found");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "", "[]", "{}", "{\"id\":42}", "{\"id\":{\"$gt\":\"\"}}", "{\"id\":null}",
      "{\"id\":\"0123456789abcdef01234567\",\"extra\":1}"})
  void badPayloadsGetA400ErrorReplyNotATimeout(String payload) throws Exception {
    JsonObject error = assertErrorReply(fx.natsRequest("users.get", payload), 400, "validation_failed");
    assertTrue(!error.containsKey("details") || error.getValue("details") instanceof JsonArray);
  }

  @Test
  void registeredWithTheNatsServicesApi() throws Exception {
    JsonObject info = json(fx.natsRequest("$SRV.INFO.user-service", ""));
    assertEquals("user-service", info.getString("name"));
    assertEquals(UserVerticle.VERSION, info.getString("version"));
    JsonArray endpoints = info.getJsonArray("endpoints");
    assertEquals(1, endpoints.size());
    JsonObject get = endpoints.getJsonObject(0);
    assertEquals("users.get", get.getString("subject"));
    assertEquals("q", get.getString("queue_group"));

    JsonObject ping = json(fx.natsRequest("$SRV.PING.user-service", ""));
    assertEquals(info.getString("id"), ping.getString("id"));

    fx.natsRequest("users.get", "{\"id\":\"0123456789abcdef01234567\"}");
    JsonObject stats = json(fx.natsRequest("$SRV.STATS.user-service", ""));
    assertTrue(stats.getJsonArray("endpoints").getJsonObject(0).getLong("num_requests") >= 1);
  }
}
