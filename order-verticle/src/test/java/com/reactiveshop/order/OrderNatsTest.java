package com.reactiveshop.order;

import io.nats.client.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.UUID;

import static com.reactiveshop.order.OrderServiceFixture.orderBody;
import static com.reactiveshop.testing.ContractAssertions.assertErrorReply;
import static com.reactiveshop.testing.ContractAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code orders.get} over NATS, and the service's presence in the NATS Services API; the user and product services are
 * stubbed ({@link StubServices}).
 */
class OrderNatsTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";

  static OrderServiceFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = OrderServiceFixture.withStubbedServices();
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  @Test
  void getsAnOrderById() throws Exception {
    HttpResponse<Buffer> created = f.postOrder(orderBody(USER, PEN, 1));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject order = created.bodyAsJsonObject();
    Message reply = f.natsRequest("orders.get", new JsonObject().put("id", order.getString("id")).encode());
    assertFalse(reply.hasHeaders() && reply.getHeaders().getFirst("Nats-Service-Error-Code") != null);
    assertEquals(order, json(reply));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nope", "00000000-0000-0000-0000-000000000000"})
  void unknownOrWrongShapedIdsAre404(String id) throws Exception {
    assertErrorReply(f.natsRequest("orders.get", new JsonObject().put("id", id).encode()), 404, "order_not_found");
    assertErrorReply(f.natsRequest("orders.get", new JsonObject().put("id", UUID.randomUUID().toString()).encode()),
        404, "order_not_found");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{bad", "[]", "{}", "{\"id\": 5}", "{\"id\": {\"$gt\": \"\"}}", "{\"id\": \"x\", \"y\": 1}"})
  void badPayloadsAre400(String payload) throws Exception {
    assertErrorReply(f.natsRequest("orders.get", payload), 400, "validation_failed");
  }

  @Test
  void answersTheServicesApi() throws Exception {
    JsonObject info = json(f.natsRequest("$SRV.INFO.order-service", ""));
    assertEquals("order-service", info.getString("name"));
    assertTrue(info.encode().contains("orders.get"), info.encode());
  }
}
