package com.reactiveshop.user;

import com.reactiveshop.common.http.ApiError;
import com.reactiveshop.common.ids.ObjectIds;

/** User ids are ObjectIds ({@link ObjectIds}); anything else cannot name a user and is simply not found. */
final class UserIds {

  private UserIds() {
  }

  static String require(String id) {
    return ObjectIds.require(id, UserIds::notFound);
  }

  static ApiError notFound() {
    return ApiError.notFound("user_not_found", "No user has this id.");
  }
}
