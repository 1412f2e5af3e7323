package com.reactiveshop.common.http;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Entity tags from representation bytes, and If-None-Match as RFC 9110 §13.1.2 asks of a GET. */
class EntityTagsTest {

  private static final String TAG = "0123456789abcdef";

  private static boolean fails(String... fieldLines) {
    return EntityTags.noneMatchFails(List.of(fieldLines), TAG);
  }

  @Test
  void aTagFollowsTheBytes() {
    String a = EntityTags.opaqueOf(Buffer.buffer("{\"stock\":1}"));
    assertEquals(a, EntityTags.opaqueOf(Buffer.buffer("{\"stock\":1}")));
    assertNotEquals(a, EntityTags.opaqueOf(Buffer.buffer("{\"stock\":2}")));
    assertTrue(a.matches("[0-9a-f]{16}"));
    assertEquals("\"" + a + "\"", EntityTags.strong(a));
  }

  @Test
  void matchingTagsAnywhereInTheListWeakOrStrongOrAStar() {
    assertTrue(fails("\"" + TAG + "\""));
    assertTrue(fails("W/\"" + TAG + "\""), "If-None-Match uses the weak comparison");
    assertTrue(fails("\"other\", \"" + TAG + "\""));
    assertTrue(fails("\"other\",W/\"" + TAG + "\" , \"more\""));
    assertTrue(fails("\"other\"", "\"" + TAG + "\""), "several field lines are one list");
    assertTrue(fails(" , \"" + TAG + "\",,"), "empty list elements are allowed");
    assertTrue(fails("*"));
    assertTrue(fails("  *\t"));
  }

  @Test
  void otherTagsDoNotMatch() {
    assertFalse(EntityTags.noneMatchFails(List.of(), TAG));
    assertFalse(EntityTags.noneMatchFails(null, TAG));
    assertFalse(fails("\"other\""));
    assertFalse(fails("\"" + TAG + "0\""));
    assertFalse(fails("\"" + TAG.substring(1) + "\""));
    assertFalse(fails("\"\""));
    assertFalse(fails(""));
    assertFalse(fails(" , ,"));
  }

  @ParameterizedTest
  @ValueSource(strings = {TAG, "\"" + TAG, TAG + "\"", "W/" + TAG, "w/\"" + TAG + "\"", "*, \"" + TAG + "\"",
      "\"" + TAG + "\", *", "\"" + TAG + "\" \"x\"", "\"" + TAG + "\"x", "\"a b\", \"" + TAG + "\"",
      "\"a\u0001\", \"" + TAG + "\"", "W/", "W/\"", "\"", "**", "\"" + TAG + "\";q=1", "\"\u20ac\", \"" + TAG + "\""})
  void aFieldThatDoesNotParseIsIgnored(String field) {
    assertFalse(fails(field), field);
  }
}
