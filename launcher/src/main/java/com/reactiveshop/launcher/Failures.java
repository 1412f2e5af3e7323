package com.reactiveshop.launcher;

import java.net.BindException;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** One-line descriptions of start failures: the cause a user can act on, never a bare {@code null}. */
final class Failures {

  private Failures() {
  }

  static String serviceName(String service) {
    return Part.of(service).displayName();
  }

  /** The most telling message of {@code e} and its causes, with passwords masked. */
  static String describe(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    if (isBindFailure(e)) {
      return "address already in use";
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException && (t.getMessage() == null || t.getMessage().isBlank())) {
        return "timed out";
      }
      String message = t.getMessage();
      if (message != null && !message.isBlank() && !message.equals("null")) {
        String line = message.strip().lines().findFirst().orElse(message.strip());
        return Redactions.uri(line);
      }
    }
    return e.getClass().getSimpleName();
  }

  /** As {@link #describe(Throwable)}, naming the port and the variables that set it when it could not be bound. */
  static String describe(Throwable e, int port, List<String> variables) {
    String how = variables.isEmpty() ? "" : " (set " + String.join(" or ", variables) + ")";
    if (isBindFailure(e)) {
      return "port " + port + " is already in use" + how;
    }
    if (messageContains(e, "Permission denied")) {
      return "port " + port + " cannot be bound: permission denied" + how;
    }
    return describe(e);
  }

  static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return messageContains(e, "Address already in use");
  }

  private static boolean messageContains(Throwable e, String text) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(text)) {
        return true;
      }
    }
    return false;
  }
}
