package com.reactiveshop.common.http;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
  void objectIdsAreAcceptedInAnyCaseAndReturnedInLowerCaseAndOtherShapesAsSent() {
    JsonFields fields = JsonFields.of(new JsonObject().put("userId", "6B0D9183E117611E8FE57E32")
        .put("productId", "not-an-id"), Set.of("userId", "productId"));
    assertEquals("6b0d9183e117611e8fe57e32", fields.id("userId"));
    assertEquals("not-an-id", fields.id("productId"), "names nothing: the lookup answers not found");
    fields.validate();

    for (Object bad : new Object[] {"", "  ", 42, new JsonObject().put("$gt", ""), "x".repeat(101), "a\u0000b"}) {
      JsonFields refused = JsonFields.of(new JsonObject().put("userId", bad), Set.of("userId"));
      assertNull(refused.id("userId"));
      ApiError error = assertThrows(ApiError.class, refused::validate, String.valueOf(bad));
      assertEquals(400, error.status());
    }
  }

  @Test
  void textWithHalfACharacterIsRefusedAndWholeCharactersPass() {
    for (String bad : new String[] {"x\uD800y", "x\uDC00", "\uD83D", "ab\uDE00\uD83D"}) {
      JsonFields fields = JsonFields.of(new JsonObject().put("name", bad).put("description", bad),
          Set.of("name", "description"));
      assertNull(fields.name("name", 100, true));
      assertNull(fields.text("description", 100, false));
      ApiError error = assertThrows(ApiError.class, fields::validate);
      assertEquals(2, error.details().size(), error.details().encode());
    }
    JsonFields emoji = JsonFields.of(new JsonObject().put("name", "pen \uD83D\uDD8A"), Set.of("name"));
    assertEquals("pen \uD83D\uDD8A", emoji.name("name", 100, true));
    emoji.validate();
  }

  private static void assertInvalid(JsonObject request, String field) {
    ApiError error = assertThrows(ApiError.class, () -> JsonFields.idOf(request));
    assertEquals(400, error.status());
    assertEquals("validation_failed", error.code());
    assertEquals(field, error.details().getJsonObject(0).getString("field"), error.details().encode());
  }
}
