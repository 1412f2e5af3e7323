package com.reactiveshop.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonRequestsTest {

  @Test
  void aJsonObjectIsDecodedAsVertxWould() {
    JsonObject decoded = JsonRequests.object(Buffer.buffer(
        "{\"userId\":\"u1\",\"items\":[{\"productId\":\"p\",\"quantity\":2}],\"big\":12345678901234,\"x\":1.5,"
            + "\"ok\":true,\"none\":null}"));
    assertEquals(new JsonObject().put("userId", "u1")
        .put("items", new JsonArray().add(new JsonObject().put("productId", "p").put("quantity", 2)))
        .put("big", 12345678901234L).put("x", 1.5).put("ok", true).putNull("none"), decoded);
    assertEquals(2, decoded.getJsonArray("items").getJsonObject(0).getInteger("quantity"));
  }

  @Test
  void anythingButOneStrictJsonObjectIsA400() {
    for (String body : new String[] {"", "   ", "[1]", "\"text\"", "42", "{\"a\":1,\"a\":2}",
        "{\"o\":{\"k\":1,\"k\":1}}", "{\"a\":1 /* note */}", "// c\n{\"a\":1}", "{\"a\":1} {\"b\":2}", "{\"a\":1} x",
        "{\"a\":}", "{'a':1}", "{\"a\":1"}) {
      ApiError error = assertThrows(ApiError.class, () -> JsonRequests.object(Buffer.buffer(body)), body);
      assertEquals(400, error.status(), body);
      assertEquals("validation_failed", error.code(), body);
    }
  }
}
