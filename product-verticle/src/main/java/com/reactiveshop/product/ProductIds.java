package com.reactiveshop.product;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.ids.ObjectIds;

/** Product ids are ObjectIds ({@link ObjectIds}); anything else cannot name a product and is simply not found. */
final class ProductIds {

  private ProductIds() {
  }

  static boolean isWellFormed(String id) {
    return ObjectIds.isWellFormed(id);
  }

  /** The canonical (lower-case) id, or null when the string cannot be a product id. */
  static String canonical(String id) {
    return ObjectIds.canonical(id);
  }

  static ApiError notFound() {
    return ApiError.notFound("product_not_found", "No product has this id.");
  }
}
