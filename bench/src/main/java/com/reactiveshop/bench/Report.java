package com.reactiveshop.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The run's results: the table (text and Markdown), the JSON document and the chart. */
final class Report {

  enum Verdict { PASS, FAIL, INFO, NA, ERROR }

  record Row(String scenario, String result, String ceiling, String ratio, String target, Verdict verdict) {
    String verdictText() {
      return switch (verdict) {
        case PASS -> "PASS";
        case FAIL -> "FAIL";
        case INFO -> "info";
        case NA -> "n/a";
        case ERROR -> "ERROR";
      };
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final JsonObject json = new JsonObject();
  private boolean correctnessFailed;

  void row(String scenario, String result, String ceiling, String ratio, String target, Verdict verdict) {
    rows.add(new Row(scenario, result, ceiling, ratio, target, verdict));
  }

  void error(String scenario, Exception e) {
    System.err.println("-- " + scenario + " failed:");
    e.printStackTrace();
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    rows.add(new Row(scenario, "error: " + message.lines().findFirst().orElse(""), "", "", "", Verdict.ERROR));
    JsonObject errors = json.getJsonObject("errors");
    if (errors == null) {
      errors = new JsonObject();
      json.put("errors", errors);
    }
    errors.put(scenario, message);
    correctnessFailed = true;
  }

  /** A correctness check failed (consistency, flash-sale counts): the run exits non-zero. */
  void correctnessFailed() {
    correctnessFailed = true;
  }

  boolean failed() {
    return correctnessFailed;
  }

  JsonObject json() {
    return json;
  }

  List<Row> rows() {
    return rows;
  }

  /** A fixed-width table for the terminal. */
  String table() {
    String[] head = {"scenario", "result", "ceiling", "ratio", "target", "verdict"};
    int[] width = new int[head.length];
    List<String[]> cells = new ArrayList<>();
    cells.add(head);
    for (Row r : rows) {
      cells.add(new String[] {r.scenario(), r.result(), r.ceiling(), r.ratio(), r.target(), r.verdictText()});
    }
    for (String[] c : cells) {
      for (int i = 0; i < c.length; i++) {
        width[i] = Math.max(width[i], c[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int n = 0; n < cells.size(); n++) {
      String[] c = cells.get(n);
      for (int i = 0; i < c.length; i++) {
        out.append(i == 0 ? "" : " | ").append(pad(c[i], width[i]));
      }
      out.append('\n');
      if (n == 0) {
        for (int i = 0; i < c.length; i++) {
          out.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  String markdown() {
    StringBuilder out = new StringBuilder("| scenario | result | ceiling | ratio | target | verdict |\n");
    out.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      out.append("| ").append(md(r.scenario())).append(" | ").append(md(r.result())).append(" | ")
          .append(md(r.ceiling())).append(" | ").append(md(r.ratio())).append(" | ").append(md(r.target()))
          .append(" | ").append(r.verdictText()).append(" |\n");
    }
    return out.toString();
  }

  private static String md(String s) {
    return s.replace("|", "\\|");
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }

  JsonArray rowsJson() {
    JsonArray out = new JsonArray();
    for (Row r : rows) {
      out.add(new JsonObject().put("scenario", r.scenario()).put("result", r.result()).put("ceiling", r.ceiling())
          .put("ratio", r.ratio()).put("target", r.target()).put("verdict", r.verdictText()));
    }
    return out;
  }

  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    json.put("rows", rowsJson());
    Files.writeString(dir.resolve("results.json"), json.encodePrettily() + "\n");
    Files.writeString(dir.resolve("table.txt"), table());
    Files.writeString(dir.resolve("table.md"), markdown());
    Chart.write(json, dir.resolve("chart.png"));
  }
}
