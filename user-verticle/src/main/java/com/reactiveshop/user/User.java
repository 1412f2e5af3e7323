package com.reactiveshop.user;

import com.reactiveshop.common.http.JsonFields;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Set;

/** The fields a client may set on a user, validated; and the mapping between stored documents and API JSON. */
record User(String name, String email) {

  private static final Set<String> FIELDS = Set.of("name", "email");

  static User fromRequest(JsonObject body) {
    JsonFields fields = JsonFields.of(body, FIELDS, JsonFields.READ_ONLY);
    String name = fields.name("name", 100, true);
    String email = fields.email("email");
    fields.validate();
    return new User(name, email);
  }

  /** Emails are unique regardless of case: the unique index is on this lower-cased copy. */
  String emailKey() {
    return email.toLowerCase(Locale.ROOT);
  }

  static JsonObject toApi(JsonObject document) {
    return new JsonObject()
        .put("id", document.getString("_id"))
        .put("name", document.getString("name"))
        .put("email", document.getString("email"))
        .put("createdAt", document.getString("createdAt"))
        .put("updatedAt", document.getString("updatedAt"));
  }
}
