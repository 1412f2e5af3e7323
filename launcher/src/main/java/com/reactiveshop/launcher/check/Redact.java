package com.reactiveshop.launcher.check;

import java.util.regex.Pattern;

/** Takes passwords out of URIs and of messages that may quote one, before anything is printed. */
final class Redact {

  private static final Pattern USER_INFO = Pattern.compile("(\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\\s]*):[^/\\s]*@");

  private Redact() {
  }

  /** {@code postgresql://user:secret@host/db} becomes {@code postgresql://user:***@host/db}. */
  static String text(String text) {
    return text == null ? null : USER_INFO.matcher(text).replaceAll("$1:***@");
  }
}
