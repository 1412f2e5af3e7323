package com.reactiveshop.common.http;

import com.reactiveshop.common.ids.Sha256;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * Entity tags (RFC 9110 §8.8.3) and the {@code If-None-Match} precondition of a GET or HEAD (§13.1.2).
 *
 * <p>A tag is derived from the bytes of the JSON representation itself (the first 64 bits of their SHA-256), so it
 * changes exactly when what a client would receive changes, stock included, and every instance and process derives
 * the same tag for the same document. It is a strong tag: equal tags mean byte-identical bodies.
 */
public final class EntityTags {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int TAG_BYTES = 8;

  private EntityTags() {
  }

  /** The opaque part of the tag of {@code representation}: 16 lower-case hex digits. */
  public static String opaqueOf(Buffer representation) {
    byte[] digest = Sha256.of(representation.getBytes());
    char[] hex = new char[TAG_BYTES * 2];
    for (int i = 0; i < TAG_BYTES; i++) {
      hex[2 * i] = HEX[(digest[i] >> 4) & 0xF];
      hex[2 * i + 1] = HEX[digest[i] & 0xF];
    }
    return new String(hex);
  }

  /** The header form of a strong tag: the opaque part in double quotes. */
  public static String strong(String opaque) {
    return '"' + opaque + '"';
  }

  /**
   * Whether {@code If-None-Match} (all its field lines) makes a GET or HEAD of a representation tagged
   * {@code opaque} answer 304: the field is {@code *}, or one of its listed tags matches under the weak comparison
   * (a {@code W/} prefix does not matter). A field that is not a valid {@code *} or list of entity tags is ignored
   * (false, the request is answered normally), never an error.
   */
  public static boolean noneMatchFails(List<String> fieldLines, String opaque) {
    if (fieldLines == null || fieldLines.isEmpty()) {
      return false;
    }
    String field = fieldLines.size() == 1 ? fieldLines.get(0) : String.join(",", fieldLines);
    if (field.trim().equals("*")) {
      return true;
    }
    boolean matched = false;
    int i = 0;
    int n = field.length();
    while (true) {
      // Empty list elements (", ,") are allowed by the list syntax (RFC 9110 §5.6.1.2).
      while (i < n && (isWhitespace(field.charAt(i)) || field.charAt(i) == ',')) {
        i++;
      }
      if (i == n) {
        return matched;
      }
      if (field.startsWith("W/", i)) {
        i += 2;
      }
      if (i == n || field.charAt(i) != '"') {
        return false;
      }
      int close = field.indexOf('"', i + 1);
      if (close < 0) {
        return false;
      }
      for (int c = i + 1; c < close; c++) {
        if (!isEtagChar(field.charAt(c))) {
          return false;
        }
      }
      matched |= field.regionMatches(i + 1, opaque, 0, opaque.length()) && close - i - 1 == opaque.length();
      i = close + 1;
      while (i < n && isWhitespace(field.charAt(i))) {
        i++;
      }
      if (i < n && field.charAt(i) != ',') {
        return false;
      }
    }
  }

  /** etagc = %x21 / %x23-7E / obs-text. */
  private static boolean isEtagChar(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
