package com.reactiveshop.testing;

import io.nats.client.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error contract every service keeps, checked in one place: over HTTP an {@code application/json} body
 * {@code {"error": {"code", "message", "details"?}}}; over NATS the same body with the NATS Services API error headers.
 */
public final class ContractAssertions {

  private ContractAssertions() {
  }

  /**
   * An HTTP error answer: the status, the JSON content type, the error code, a message that is not blank, and
   * details absent or an array. Returns the {@code error} object for further checks.
   */
  public static JsonObject assertError(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals("application/json", response.getHeader("Content-Type"), response.bodyAsString());
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertNotNull(error, response.bodyAsString());
    assertEquals(code, error.getString("code"), response.bodyAsString());
    assertNotNull(error.getString("message"), response.bodyAsString());
    assertFalse(error.getString("message").isBlank());
    assertTrue(!error.containsKey("details") || error.getValue("details") instanceof JsonArray,
        "details is absent or an array");
    return error;
  }

  /**
   * A NATS error reply: the {@code Nats-Service-Error-Code} header holds the status, {@code Nats-Service-Error} is
   * not blank, and the body is the contract's error with that code. Returns the {@code error} object.
   */
  public static JsonObject assertErrorReply(Message reply, int status, String code) {
    assertTrue(reply.hasHeaders(), () -> "an error reply carries headers: " + text(reply));
    assertEquals(String.valueOf(status), reply.getHeaders().getFirst("Nats-Service-Error-Code"), () -> text(reply));
    String description = reply.getHeaders().getFirst("Nats-Service-Error");
    assertNotNull(description, () -> text(reply));
    assertFalse(description.isBlank());
    JsonObject error = json(reply).getJsonObject("error");
    assertNotNull(error, () -> text(reply));
    assertEquals(code, error.getString("code"), () -> text(reply));
    assertNotNull(error.getString("message"), () -> text(reply));
    assertFalse(error.getString("message").isBlank());
    assertTrue(!error.containsKey("details") || error.getValue("details") instanceof JsonArray,
        "details is absent or an array");
    return error;
  }

  /** A NATS message's body as a JSON object. */
  public static JsonObject json(Message message) {
    return new JsonObject(text(message));
  }

  private static String text(Message message) {
    return new String(message.getData(), StandardCharsets.UTF_8);
  }
}
