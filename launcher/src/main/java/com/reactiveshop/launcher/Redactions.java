package com.reactiveshop.launcher;

import java.util.regex.Pattern;

/**
 * Takes passwords out of URIs, and out of any text that may quote one, before it is printed or logged (the password
 * may itself contain {@code @}: everything up to the last {@code @} before the host goes).
 */
public final class Redactions {

  private static final Pattern USER_INFO = Pattern.compile("(\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\\s]*):[^/\\s]*@");

  private Redactions() {
  }

  /** {@code postgresql://postgres:secret@host/db} becomes {@code postgresql://postgres:***@host/db}. */
  public static String uri(String text) {
    return text == null ? null : USER_INFO.matcher(text).replaceAll("$1:***@");
  }
}
