package com.reactiveshop.launcher.observability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL of the Grafana dashboard kept in the repository, and the series names each query reads. */
final class DashboardQueries {

  static final Path DASHBOARD = Path.of("observability", "grafana", "dashboards", "reactive-shop.json");

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset");

  private DashboardQueries() {
  }

  /** The dashboard file, found from the module's directory or the repository's. */
  static Path file() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(DASHBOARD))) {
        return dir.resolve(DASHBOARD);
      }
    }
    throw new AssertionError(DASHBOARD + " not found above " + Path.of("").toAbsolutePath());
  }

  static JsonObject dashboard() throws IOException {
    return new JsonObject(Files.readString(file()));
  }

  /** Every query: each panel target's {@code expr} and each template variable's query. */
  static List<String> queries(JsonObject dashboard) {
    List<String> queries = new ArrayList<>();
    collect(dashboard.getJsonArray("panels"), queries);
    JsonObject templating = dashboard.getJsonObject("templating");
    if (templating != null) {
      for (Object variable : templating.getJsonArray("list", new JsonArray())) {
        Object query = ((JsonObject) variable).getValue("query");
        queries.add(query instanceof JsonObject object ? object.getString("query") : String.valueOf(query));
      }
    }
    return queries;
  }

  private static void collect(JsonArray panels, List<String> queries) {
    if (panels == null) {
      return;
    }
    for (Object item : panels) {
      JsonObject panel = (JsonObject) item;
      for (Object target : panel.getJsonArray("targets", new JsonArray())) {
        queries.add(((JsonObject) target).getString("expr"));
      }
      collect(panel.getJsonArray("panels"), queries);
    }
  }

  /**
   * The series names a query reads: identifiers that are not functions (followed by "("), keywords, label names
   * (inside {@code {...}}, {@code by (...)}), strings, ranges or Grafana variables. For Grafana's
   * {@code label_values(series, label)} only the series.
   */
  static Set<String> seriesOf(String query) {
    String text = query
        .replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1")
        .replaceAll("\"[^\"]*\"", "")
        .replaceAll("\\{[^}]*}", "")
        .replaceAll("\\[[^]]*]", "")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "")
        .replaceAll("\\$\\{?[a-zA-Z_]+}?", "");
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = IDENTIFIER.matcher(text);
    while (matcher.find()) {
      String name = matcher.group();
      boolean isFunction = text.substring(matcher.end()).stripLeading().startsWith("(");
      boolean isNumberPart = matcher.start() > 0 && Character.isDigit(text.charAt(matcher.start() - 1));
      if (!isFunction && !isNumberPart && !KEYWORDS.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** The series names a Prometheus text exposition has. */
  static Set<String> exposed(String metrics) {
    Set<String> names = new LinkedHashSet<>();
    metrics.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
      Matcher matcher = IDENTIFIER.matcher(line);
      if (matcher.lookingAt()) {
        names.add(matcher.group());
      }
    });
    return names;
  }
}
