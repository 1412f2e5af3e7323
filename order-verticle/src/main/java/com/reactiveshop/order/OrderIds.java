package com.reactiveshop.order;

import com.reactiveshop.common.http.ApiError;

import java.util.UUID;
import java.util.regex.Pattern;

/** Order ids are UUID strings; anything else cannot name an order and is simply not found. */
final class OrderIds {

  private static final Pattern UUID_SHAPE = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private OrderIds() {
  }

  static UUID require(String id) {
    if (id == null || !UUID_SHAPE.matcher(id).matches()) {
      throw notFound();
    }
    return UUID.fromString(id);
  }

  static ApiError notFound() {
    return ApiError.notFound("order_not_found", "No order has this id.");
  }
}
