package com.reactiveshop.testing;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ContractAssertionsTest {

  private static final String BODY = "{\"error\":{\"code\":\"insufficient_stock\",\"message\":\"Not enough stock.\","
      + "\"details\":[{\"productId\":\"p\"}]}}";

  private static Message reply(Headers headers, String body) {
    return NatsMessage.builder().subject("inbox").headers(headers).data(body.getBytes(StandardCharsets.UTF_8)).build();
  }

  private static Headers errorHeaders(String status) {
    return new Headers().put("Nats-Service-Error-Code", status).put("Nats-Service-Error", "Not enough stock.");
  }

  @Test
  void aContractErrorReplyPassesAndGivesItsErrorObject() {
    JsonObject error = assertErrorReply(reply(errorHeaders("409"), BODY), 409, "insufficient_stock");
    assertEquals(new JsonObject(BODY).getJsonObject("error"), error);
    assertEquals(new JsonObject(BODY), json(reply(null, BODY)));
  }

  @Test
  void anythingElseFails() {
    assertThrows(AssertionError.class, () -> assertErrorReply(reply(null, BODY), 409, "insufficient_stock"));
    assertThrows(AssertionError.class, () -> assertErrorReply(reply(errorHeaders("400"), BODY), 409,
        "insufficient_stock"));
    assertThrows(AssertionError.class, () -> assertErrorReply(reply(errorHeaders("409"), BODY), 409, "other"));
    assertThrows(AssertionError.class, () -> assertErrorReply(reply(new Headers()
        .put("Nats-Service-Error-Code", "409").put("Nats-Service-Error", " "), BODY), 409, "insufficient_stock"));
    assertThrows(AssertionError.class, () -> assertErrorReply(reply(errorHeaders("409"),
        "{\"error\":{\"code\":\"insufficient_stock\",\"message\":\"\"}}"), 409, "insufficient_stock"));
    assertThrows(AssertionError.class, () -> assertErrorReply(reply(errorHeaders("409"),
        "{\"error\":{\"code\":\"insufficient_stock\",\"message\":\"m\",\"details\":{}}}"), 409, "insufficient_stock"));
  }
}
