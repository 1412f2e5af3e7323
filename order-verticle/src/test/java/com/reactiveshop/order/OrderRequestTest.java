package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of the {@code POST /api/orders} body: every problem in one 400 {@code validation_failed}. */
class OrderRequestTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";

  private static JsonObject line(Object productId, Object quantity) {
    return new JsonObject().put("productId", productId).put("quantity", quantity);
  }

  private static JsonObject body(Object userId, JsonObject... lines) {
    return new JsonObject().put("userId", userId).put("items", new JsonArray(List.of((Object[]) lines)));
  }

  /** The fields named in the 400's details. */
  private static List<String> refused(JsonObject body) {
    ApiError error = assertThrows(ApiError.class, () -> OrderRequest.fromBody(body));
    assertEquals(400, error.status());
    assertEquals("validation_failed", error.code());
    List<String> fields = new ArrayList<>();
    error.details().forEach(d -> fields.add(((JsonObject) d).getString("field")));
    return fields;
  }

  private static String id(int n) {
    return String.format("%024x", n);
  }

  @Test
  void aValidBodyKeepsItsLinesInOrderAndIdsInLowerCase() {
    OrderRequest request = OrderRequest.fromBody(body(USER.toUpperCase(), line(PEN.toUpperCase(), 2), line(id(7), 1000))
        .put("id", "ignored").put("createdAt", "ignored").put("updatedAt", "ignored"));
    assertEquals(USER, request.userId());
    assertEquals(List.of(new OrderRequest.Line(PEN, 2), new OrderRequest.Line(id(7), 1000)), request.lines());
    assertEquals(new JsonArray().add(line(PEN, 2)).add(line(id(7), 1000)), request.linesJson());
  }

  @Test
  void anIdOfTheWrongShapeIsKeptAsSentForTheLookupToFindNothing() {
    OrderRequest request = OrderRequest.fromBody(body("not-an-id", line("No-Such-Product", 1), line(PEN, 2)));
    assertEquals("not-an-id", request.userId());
    assertEquals(List.of(new OrderRequest.Line("No-Such-Product", 1), new OrderRequest.Line(PEN, 2)), request.lines());
  }

  @Test
  void userIdMustBeANonBlankString() {
    assertEquals(List.of("userId"), refused(body("", line(PEN, 1))));
    assertEquals(List.of("userId"), refused(body(" ", line(PEN, 1))));
    assertEquals(List.of("userId"), refused(body(42, line(PEN, 1))));
    assertEquals(List.of("userId"), refused(body(new JsonObject().put("$gt", ""), line(PEN, 1))));
    assertEquals(List.of("userId"), refused(new JsonObject().put("items", new JsonArray().add(line(PEN, 1)))));
  }

  @Test
  void itemsHoldOneToAHundredObjects() {
    assertEquals(List.of("items"), refused(body(USER)));
    assertEquals(List.of("items"), refused(new JsonObject().put("userId", USER)));
    assertEquals(List.of("items"), refused(new JsonObject().put("userId", USER).put("items", "pen")));
    JsonObject[] tooMany = new JsonObject[OrderRequest.MAX_LINES + 1];
    for (int i = 0; i < tooMany.length; i++) {
      tooMany[i] = line(id(i + 1), 1);
    }
    assertEquals(List.of("items"), refused(body(USER, tooMany)));
    JsonObject[] hundred = new JsonObject[OrderRequest.MAX_LINES];
    System.arraycopy(tooMany, 0, hundred, 0, hundred.length);
    assertEquals(OrderRequest.MAX_LINES, OrderRequest.fromBody(body(USER, hundred)).lines().size());
    assertEquals(List.of("items[0]"),
        refused(new JsonObject().put("userId", USER).put("items", new JsonArray().add("pen"))));
  }

  @Test
  void quantitiesAreIntegersFromOneToAThousand() {
    assertEquals(List.of("items[0].quantity"), refused(body(USER, line(PEN, 0))));
    assertEquals(List.of("items[0].quantity"), refused(body(USER, line(PEN, OrderRequest.MAX_QUANTITY + 1))));
    assertEquals(List.of("items[0].quantity"), refused(body(USER, line(PEN, 1.5))));
    assertEquals(List.of("items[0].quantity"), refused(body(USER, line(PEN, "2"))));
    assertEquals(List.of("items[0].quantity"), refused(body(USER, new JsonObject().put("productId", PEN))));
  }

  @Test
  void eachProductAppearsOnceInAnyLetterCase() {
    assertEquals(List.of("items[1].productId"), refused(body(USER, line(PEN, 1), line(PEN.toUpperCase(), 2))));
    assertEquals(List.of("items[1].productId"), refused(body(USER, line("pen", 1), line("pen", 2))));
  }

  @Test
  void unknownFieldsAreRefusedAndEveryProblemIsReportedAtOnce() {
    List<String> fields = refused(body("", line(PEN, 0), line("", 1).put("colour", "red")).put("coupon", "FREE"));
    assertTrue(fields.containsAll(List.of("userId", "coupon", "items[0].quantity", "items[1].productId",
        "items[1].colour")), fields.toString());
  }
}
