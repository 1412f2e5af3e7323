package com.reactiveshop.order;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A confirmed order from its request and the product service's reservation: lines, copied names and prices, total. */
class OrderTest {

  private static final String USER = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String PEN = "bbbbbbbbbbbbbbbbbbbbbbbb";
  private static final String INK = "cccccccccccccccccccccccc";

  private static OrderRequest request(Object... productIdAndQuantity) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < productIdAndQuantity.length; i += 2) {
      items.add(new JsonObject().put("productId", productIdAndQuantity[i]).put("quantity", productIdAndQuantity[i + 1]));
    }
    return OrderRequest.fromBody(new JsonObject().put("userId", USER).put("items", items));
  }

  private static JsonObject reserved(JsonObject... items) {
    return new JsonObject().put("items", new JsonArray(List.of((Object[]) items)));
  }

  private static JsonObject item(String productId, String name, Object priceCents) {
    return new JsonObject().put("productId", productId).put("name", name).put("priceCents", priceCents);
  }

  @Test
  void linesFollowTheRequestWithNamesAndPricesFromTheReservationAndTheTotalIsTheirSum() {
    UUID id = UUID.randomUUID();
    // The reply lists the products in another order than the request: the request's order wins.
    Order order = Order.confirmed(id, request(PEN, 3, INK, 2),
        reserved(item(INK, "Ink", 450), item(PEN, "Pen", 199)));

    assertEquals(id, order.id());
    assertEquals(USER, order.userId());
    assertEquals(Order.CONFIRMED, order.status());
    assertEquals(List.of(new Order.Item(PEN, "Pen", 3, 199), new Order.Item(INK, "Ink", 2, 450)), order.items());
    assertEquals(3 * 199 + 2 * 450, order.totalCents());
    assertEquals(order.createdAt(), order.updatedAt());
    assertEquals(0, order.createdAt().getNano() % 1_000_000, "milliseconds, as PostgreSQL gives them back");
  }

  @Test
  void largeQuantitiesAndPricesAddUpInLongCents() {
    Order order = Order.confirmed(UUID.randomUUID(), request(PEN, 1000), reserved(item(PEN, "Gold pen", 5_000_000L)));
    assertEquals(5_000_000_000L, order.totalCents());
  }

  @Test
  void aFreeProductCostsNothingAndAMissingNameIsEmpty() {
    Order order = Order.confirmed(UUID.randomUUID(), request(PEN, 2),
        reserved(new JsonObject().put("productId", PEN).put("priceCents", 0)));
    assertEquals(0, order.totalCents());
    assertEquals("", order.items().get(0).name());
  }

  @Test
  void aReservationThatDoesNotConfirmEveryLineIsUnusable() {
    assertThrows(IllegalStateException.class, () -> Order.confirmed(UUID.randomUUID(), request(PEN, 1, INK, 1),
        reserved(item(PEN, "Pen", 199))));
    assertThrows(IllegalStateException.class, () -> Order.confirmed(UUID.randomUUID(), request(PEN, 1),
        reserved(item(PEN, "Pen", "199"))), "a price that is not a number");
    assertThrows(IllegalStateException.class, () -> Order.confirmed(UUID.randomUUID(), request(PEN, 1),
        new JsonObject()));
  }

  @Test
  void itsJsonHasTheContractsFields() {
    Order order = Order.confirmed(UUID.randomUUID(), request(PEN, 2), reserved(item(PEN, "Pen", 199)));
    JsonObject json = order.toJson();
    assertEquals(List.of("id", "userId", "status", "items", "totalCents", "createdAt", "updatedAt"),
        List.copyOf(json.fieldNames()));
    assertEquals(new JsonObject().put("productId", PEN).put("name", "Pen").put("quantity", 2).put("priceCents", 199L),
        json.getJsonArray("items").getJsonObject(0));
    assertEquals(398L, json.getLong("totalCents"));
    assertEquals(order.createdAt(), Instant.parse(json.getString("createdAt")));
    assertEquals(json, PlacedOrder.of(order).json().toJsonObject(), "encoded once, the same JSON");
  }

  @Test
  void anOrderPlacedOnAWholeSecondShowsThreeFractionDigits() {
    Instant second = Instant.parse("2026-12-01T04:19:21Z");
    Order order = new Order(UUID.randomUUID(), USER, Order.CONFIRMED, List.of(), 0, second, second);
    assertEquals("2026-12-01T04:19:21.000Z", order.toJson().getString("createdAt"));
    assertEquals("2026-12-01T04:19:21.000Z", order.toJson().getString("updatedAt"));
  }
}
