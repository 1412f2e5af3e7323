package com.reactiveshop.common.http;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The JSON field rules without a server: what passes, and the 400 and its details for what does not. */
class JsonFieldsTest {

  @Test
  void aRequestByIdNeedsAStringIdAndNothingElse() {
    assertEquals("6b0d9183e117611e8fe57e32", JsonFields.idOf(new JsonObject().put("id", "6b0d9183e117611e8fe57e32")));
    assertEquals("not-an-object-id", JsonFields.idOf(new JsonObject().put("id", "not-an-object-id")),
        "any string: an id of the wrong shape is not found, not invalid");
    assertInvalid(new JsonObject(), "id");
    assertInvalid(new JsonObject().put("id", 42), "id");
    assertInvalid(new JsonObject().put("id", "a").put("extra", true), "extra");
  }

  @Test
  void objectIdsAreAcceptedInAnyCaseAndReturnedInLowerCase() {
    JsonFields fields = JsonFields.of(new JsonObject().put("userId", "6B0D9183E117611E8FE57E32"), Set.of("userId"));
    assertEquals("6b0d9183e117611e8fe57e32", fields.objectId("userId"));
    fields.validate();

    JsonFields bad = JsonFields.of(new JsonObject().put("userId", "6b0d"), Set.of("userId"));
    bad.objectId("userId");
    ApiError error = assertThrows(ApiError.class, bad::validate);
    assertEquals(400, error.status());
  }

  private static void assertInvalid(JsonObject request, String field) {
    ApiError error = assertThrows(ApiError.class, () -> JsonFields.idOf(request));
    assertEquals(400, error.status());
    assertEquals("validation_failed", error.code());
    assertEquals(field, error.details().getJsonObject(0).getString("field"), error.details().encode());
  }
}
