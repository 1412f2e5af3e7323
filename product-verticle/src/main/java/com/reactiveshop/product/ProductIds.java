package com.reactiveshop.product;

import com.reactiveshop.common.http.ApiError;

import java.util.Locale;
import java.util.regex.Pattern;

/** Product ids are 24-hex ObjectId strings; anything else cannot name a product and is simply not found. */
final class ProductIds {

  private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-fA-F]{24}");

  private ProductIds() {
  }

  static boolean isWellFormed(String id) {
    return id != null && OBJECT_ID.matcher(id).matches();
  }

  /** The canonical (lower-case) id, or null when the string cannot be a product id. */
  static String canonical(String id) {
    return isWellFormed(id) ? id.toLowerCase(Locale.ROOT) : null;
  }

  static String require(String id) {
    String canonical = canonical(id);
    if (canonical == null) {
      throw notFound();
    }
    return canonical;
  }

  static ApiError notFound() {
    return ApiError.notFound("product_not_found", "No product has this id.");
  }
}
