package com.reactiveshop.common.ids;

import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Ids of MongoDB documents as the API shows them: 24 hexadecimal characters, accepted in any letter case and
 * stored and shown in lower case. One place for the rule the user and product services and the JSON field checks
 * share.
 */
public final class ObjectIds {

  /** 24 hexadecimal characters, either case. */
  public static final Pattern PATTERN = Pattern.compile("[0-9a-fA-F]{24}");

  private ObjectIds() {
  }

  public static boolean isWellFormed(String id) {
    return id != null && PATTERN.matcher(id).matches();
  }

  /** The canonical (lower-case) id, or null when the string cannot be an id. */
  public static String canonical(String id) {
    return isWellFormed(id) ? id.toLowerCase(Locale.ROOT) : null;
  }

  /** The canonical id; a string that cannot be an id names nothing, so it is {@code notFound}. */
  public static String require(String id, Supplier<? extends RuntimeException> notFound) {
    String canonical = canonical(id);
    if (canonical == null) {
      throw notFound.get();
    }
    return canonical;
  }
}
