package com.reactiveshop.user;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.ids.ObjectIds;

/** User ids are ObjectIds ({@link ObjectIds}); anything else cannot name a user and is simply not found. */
final class UserIds {

  private UserIds() {
  }

  /** The canonical (lower-case) id, or null when the string cannot be a user id. */
  static String canonical(String id) {
    return ObjectIds.canonical(id);
  }

  static String require(String id) {
    return ObjectIds.require(id, UserIds::notFound);
  }

  static ApiError notFound() {
    return ApiError.notFound("user_not_found", "No user has this id.");
  }
}
