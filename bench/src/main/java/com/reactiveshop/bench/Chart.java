package com.reactiveshop.bench;

import io.vertx.core.json.JsonObject;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart of a run, drawn from its results.json (so it can be drawn again: {@code bench.jar chart results.json
 * out.png}). Left: each throughput as a share of the ceiling measured around it. Right: each figure that has a target,
 * divided by its target (1 = on target; lower is better), green where it meets it.
 */
final class Chart {

  /** Where the bars of the targets chart are cut; the category label carries the true value. */
  private static final double CLIP = 4.0;

  private Chart() {
  }

  /** Left-chart bars: scenario → ratio to its ceiling, in run order. */
  static Map<String, Double> ratioBars(JsonObject results) {
    Map<String, Double> bars = new LinkedHashMap<>();
    for (String section : List.of("http", "nats")) {
      JsonObject scenarios = results.getJsonObject(section, new JsonObject());
      for (String name : scenarios.fieldNames()) {
        Double ratio = scenarios.getJsonObject(name).getDouble("ratio");
        if (ratio != null) {
          bars.put(shortName(name, section), ratio);
        }
      }
    }
    return bars;
  }

  /** Right-chart bars: figure → measured / target. */
  static Map<String, Double> targetBars(JsonObject results) {
    Map<String, Double> bars = new LinkedHashMap<>();
    JsonObject targets = results.getJsonObject("targets", new JsonObject());
    JsonObject stores = results.getJsonObject("stores", new JsonObject());
    put(bars, "Mongo cmds/order", stores.getJsonObject("mongo", new JsonObject()).getDouble("commandsPerOrder"),
        targets.getDouble("mongoCommandsPerOrder"));
    put(bars, "PG xacts/order", stores.getJsonObject("postgresql", new JsonObject())
        .getDouble("transactionsPerOrder"), targets.getDouble("pgTransactionsPerOrder"));
    put(bars, "open-loop p99", results.getJsonObject("openLoop", new JsonObject()).getDouble("p99MsFromIntended"),
        targets.getDouble("openLoopP99Ms"));
    put(bars, "flash median wall", results.getJsonObject("flashSale", new JsonObject()).getDouble("medianWallMs"),
        targets.getDouble("flashMedianWallMs"));
    return bars;
  }

  private static void put(Map<String, Double> bars, String name, Double measured, Double target) {
    if (measured != null && target != null && target > 0) {
      bars.put(name, measured / target);
    }
  }

  static String shortName(String scenario, String section) {
    if (section.equals("nats")) {
      return scenario + " (NATS)";
    }
    return scenario.replace("/api/products/{id}", "product").replace("/api/users/{id}", "user")
        .replace("POST /api/orders", "POST order");
  }

  static void write(JsonObject results, Path file) throws IOException {
    String subtitle = results.getJsonObject("run", new JsonObject()).getString("subtitle", "");
    Map<String, Double> ratios = ratioBars(results);
    Map<String, Double> targets = targetBars(results);

    CategoryChart left = new CategoryChartBuilder().width(800).height(560)
        .title("Throughput as a share of its ceiling" + (subtitle.isEmpty() ? "" : " (" + subtitle + ")"))
        .xAxisTitle("").yAxisTitle("ratio to ceiling (ceiling = 1)").build();
    style(left);
    if (!ratios.isEmpty()) {
      List<String> names = new ArrayList<>();
      ratios.forEach((name, v) -> names.add(String.format("%s: %.3f", name, v)));
      left.addSeries("ratio to the ceiling measured around it", names, new ArrayList<>(ratios.values()));
    }
    left.getStyler().setSeriesColors(new Color[] {new Color(0x3B6EA8)});

    CategoryChart right = new CategoryChartBuilder().width(800).height(560)
        .title("Targets: measured / target (dashed line = target; lower is better)").xAxisTitle("")
        .yAxisTitle("measured / target (bars cut at " + CLIP + ")").build();
    style(right);
    if (!targets.isEmpty()) {
      List<String> names = new ArrayList<>();
      List<Double> meets = new ArrayList<>();
      List<Double> misses = new ArrayList<>();
      targets.forEach((name, v) -> {
        names.add(String.format("%s: %.2f", name, v));
        meets.add(v <= 1.0 ? v : null);
        misses.add(v <= 1.0 ? null : Math.min(v, CLIP));
      });
      right.addSeries("meets its target", names, meets);
      right.addSeries("misses its target", names, misses);
      right.getStyler().setOverlapped(true);
      double max = targets.values().stream().mapToDouble(Double::doubleValue).max().orElse(1.0);
      right.getStyler().setYAxisMax(Math.min(CLIP, Math.max(1.2, max * 1.1)));
    }
    right.getStyler().setSeriesColors(new Color[] {new Color(0x2E7D32), new Color(0xC0504D)});
    right.getStyler().setAnnotationLineColor(Color.BLACK);
    right.getStyler().setAnnotationLineStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {8f, 6f}, 0f));
    right.addAnnotation(new AnnotationLine(1.0, false, false));
    BitmapEncoder.saveBitmap(List.of(left, right), 1, 2, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void style(CategoryChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setLabelsVisible(false);
    chart.getStyler().setYAxisDecimalPattern("0.##");
    chart.getStyler().setXAxisLabelRotation(20);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setBaseFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
  }
}
