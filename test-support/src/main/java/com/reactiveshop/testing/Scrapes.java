package com.reactiveshop.testing;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one value out of a Prometheus text scrape ({@code GET /metrics}). */
public final class Scrapes {

  private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\} (\\S+)");

  private Scrapes() {
  }

  /** The value of the sample {@code name} whose labels include {@code labels}; 0 when there is none. */
  public static double value(String scrape, String name, Map<String, String> labels) {
    Matcher sample = SAMPLE.matcher(scrape);
    while (sample.find()) {
      if (sample.group(1).equals(name) && labels.entrySet().stream()
          .allMatch(label -> sample.group(2).contains(label.getKey() + "=\"" + label.getValue() + "\""))) {
        return Double.parseDouble(sample.group(3));
      }
    }
    return 0;
  }

  /** Whether the scrape has a sample {@code name} with {@code labels} among its labels. */
  public static boolean has(String scrape, String name, Map<String, String> labels) {
    Matcher sample = SAMPLE.matcher(scrape);
    while (sample.find()) {
      if (sample.group(1).equals(name) && labels.entrySet().stream()
          .allMatch(label -> sample.group(2).contains(label.getKey() + "=\"" + label.getValue() + "\""))) {
        return true;
      }
    }
    return false;
  }
}
