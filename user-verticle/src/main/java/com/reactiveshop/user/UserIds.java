package com.reactiveshop.user;

import com.reactiveshop.common.http.ApiError;

import java.util.Locale;
import java.util.regex.Pattern;

/** User ids are 24-hex ObjectId strings; anything else cannot name a user and is simply not found. */
final class UserIds {

  private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-fA-F]{24}");

  private UserIds() {
  }

  /** The canonical (lower-case) id, or null when the string cannot be a user id. */
  static String canonical(String id) {
    return id == null || !OBJECT_ID.matcher(id).matches() ? null : id.toLowerCase(Locale.ROOT);
  }

  static String require(String id) {
    String canonical = canonical(id);
    if (canonical == null) {
      throw notFound();
    }
    return canonical;
  }

  static ApiError notFound() {
    return ApiError.notFound("user_not_found", "No user has this id.");
  }
}
