package com.reactiveshop.order;

import com.reactiveshop.common.ids.Sha256;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.TreeMap;

/**
 * A fingerprint of a JSON value that does not depend on key order: objects are re-encoded with sorted keys, then
 * hashed (SHA-256). Two requests are "the same body" for Idempotency-Key when their fingerprints match.
 */
final class CanonicalJson {

  private CanonicalJson() {
  }

  static String fingerprint(JsonObject body) {
    return HexFormat.of().formatHex(Sha256.of(canonical(body).toString().getBytes(StandardCharsets.UTF_8)));
  }

  static Object canonical(Object value) {
    if (value instanceof JsonObject object) {
      TreeMap<String, Object> sorted = new TreeMap<>();
      object.forEach(entry -> sorted.put(entry.getKey(), canonical(entry.getValue())));
      return new JsonObject(new LinkedHashMap<>(sorted));
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(canonical(item)));
      return copy;
    }
    return value;
  }
}
