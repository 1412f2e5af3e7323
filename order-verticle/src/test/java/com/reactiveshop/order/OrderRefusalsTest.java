package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.DatabaseException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The user and product services' refusals as the contract's answers, and what each says about held stock. */
class OrderRefusalsTest {

  private static final JsonArray SHORT = new JsonArray()
      .add(new JsonObject().put("productId", "bbbbbbbbbbbbbbbbbbbbbbbb").put("requested", 5).put("available", 2));

  private static ApiError answer(int status, String code) {
    return new ApiError(status, code, "as the service said", null, Map.of());
  }

  private static DependencyUnavailable timedOut() {
    return new DependencyUnavailable("product-service", "timeout", true, 1);
  }

  private static DependencyUnavailable noResponders() {
    return new DependencyUnavailable("product-service", "no responders", false, 7);
  }

  private static ApiError contract(Throwable mapped, int status, String code) {
    ApiError error = assertInstanceOf(ApiError.class, mapped);
    assertEquals(status, error.status(), error.code());
    assertEquals(code, error.code());
    return error;
  }

  @Test
  void anUnknownUserIs422AndAnUnansweredLookupIs503() {
    contract(OrderRefusals.user(answer(404, "user_not_found")), 422, "user_not_found");
    ApiError unavailable = contract(OrderRefusals.user(noResponders()), 503, "dependency_unavailable");
    assertEquals("7", unavailable.headers().get("Retry-After"));
    assertInstanceOf(IllegalStateException.class, OrderRefusals.user(answer(400, "validation_failed")),
        "any other answer is a bug of ours: 500");
    RuntimeException other = new RuntimeException("boom");
    assertSame(other, OrderRefusals.user(other));
  }

  @Test
  void unknownProductsAre422AndShortStockIs409WithItsDetails() {
    contract(OrderRefusals.reservation(answer(404, "product_not_found")), 422, "product_not_found");
    ApiError shortStock = contract(OrderRefusals.reservation(
        new ApiError(409, "insufficient_stock", "short", SHORT, Map.of())), 409, "insufficient_stock");
    assertEquals(SHORT, shortStock.details());
  }

  @Test
  void passingStatesOfTheProductServiceAre503SoTheClientRetries() {
    for (ApiError passing : new ApiError[] {answer(409, "reservation_in_progress"), answer(409, "reservation_released"),
        answer(503, "overloaded")}) {
      ApiError mapped = contract(OrderRefusals.reservation(passing), 503, "dependency_unavailable");
      assertEquals("1", mapped.headers().get("Retry-After"));
    }
    contract(OrderRefusals.reservation(timedOut()), 503, "dependency_unavailable");
    assertInstanceOf(IllegalStateException.class, OrderRefusals.reservation(answer(400, "validation_failed")));
  }

  @Test
  void onlyDefiniteRefusalsAndUndeliveredRequestsReserveNothing() {
    assertTrue(OrderRefusals.nothingReserved(answer(404, "product_not_found")));
    assertTrue(OrderRefusals.nothingReserved(answer(409, "insufficient_stock")));
    assertTrue(OrderRefusals.nothingReserved(answer(409, "reservation_released")));
    assertTrue(OrderRefusals.nothingReserved(noResponders()));
    assertFalse(OrderRefusals.nothingReserved(timedOut()), "it may have arrived and reserved");
    assertFalse(OrderRefusals.nothingReserved(answer(409, "reservation_in_progress")));
    assertFalse(OrderRefusals.nothingReserved(answer(503, "overloaded")));
    assertFalse(OrderRefusals.nothingReserved(new TimeoutException()));
  }

  @Test
  void aCommitIsCertainlyNotStoredOnlyWhenRefusedOrNeverSent() {
    DatabaseException refused = new DatabaseException("check violation", 0, "23514") {
    };
    assertTrue(OrderRefusals.definitelyNotStored(refused));
    assertTrue(OrderRefusals.definitelyNotStored(new ConnectException("refused")));
    assertTrue(OrderRefusals.definitelyNotStored(new ConnectionPoolTooBusyException("busy")));
    assertFalse(OrderRefusals.definitelyNotStored(new TimeoutException()), "the answer was lost: unknown");

    assertSame(refused, OrderRefusals.store(refused), "a refusal of ours stays a 500");
    DatabaseException timeout = new DatabaseException("statement timeout", 0, "57014") {
    };
    contract(OrderRefusals.store(timeout), 503, "dependency_unavailable");
    contract(OrderRefusals.store(new TimeoutException()), 503, "dependency_unavailable");
  }
}
