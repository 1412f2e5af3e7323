package com.reactiveshop.bench;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an order's time goes, step by step, from the system's own {@code /metrics} read before and after a run: the
 * mean time of each batched store step and its mean batch size ({@code store_batch_item_duration_seconds},
 * {@code store_batch_size}), and the mean of the two NATS requests ({@code nats_client_request_duration_seconds},
 * answered ones). Means from sums and counts, so the figures are exact for the window, whatever the histogram
 * buckets; they are the order path's steps in the order an order takes them (a keyed order's claim records its release
 * intent too; an order without a key records it alone).
 */
final class StepTimes {

  /** A step of the order path: its label in the report, and the series of its time and (for a batch) its size. */
  private record Step(String label, String time, String size) {
  }

  private static final List<Step> STEPS = List.of(
      batch("key claim", "idempotency_key_claim"),
      batch("release intent", "release_intent_record"),
      nats("users.get"),
      batch("stock take", "stock_take"),
      batch("reservation insert", "reservation_insert"),
      nats("products.reserve"),
      batch("order commit", "order_commit"));

  /** {@code name{labels} value}: the labels as one string, the value. */
  private static final Pattern SERIES = Pattern.compile("^([a-z_]+)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);

  /** Sums and counts by series name and labels, as read at one moment. */
  record Snapshot(Map<String, Double> values) {
  }

  private StepTimes() {
  }

  private static Step batch(String label, String batch) {
    String labels = "batch=\"" + batch + "\"";
    return new Step(label, "store_batch_item_duration_seconds|" + labels, "store_batch_size|" + labels);
  }

  private static Step nats(String subject) {
    return new Step(subject, "nats_client_request_duration_seconds|outcome=\"ok\",subject=\"" + subject + "\"",
        null);
  }

  /** Reads the sums and counts of every step from {@code metricsUrls} (the first that has a series wins). */
  static Snapshot read(Http http, List<String> metricsUrls) {
    List<String> scrapes = new ArrayList<>();
    for (String url : metricsUrls) {
      try {
        Http.Answer answer = http.call(HttpMethod.GET, url, null);
        if (answer.status() == 200) {
          scrapes.add(answer.body().toString());
        }
      } catch (RuntimeException e) {
        // The row is information only: without this scrape its steps are left out, the scenario goes on.
        System.out.println("   could not read " + url + ": " + e);
      }
    }
    return parse(scrapes);
  }

  /** The sums and counts of Prometheus text scrapes (the first that has a series wins). */
  static Snapshot parse(List<String> scrapes) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (String scrape : scrapes) {
      Matcher m = SERIES.matcher(scrape);
      while (m.find()) {
        String name = m.group(1);
        if (name.endsWith("_sum") || name.endsWith("_count")) {
          values.putIfAbsent(name + "{" + m.group(2) + "}", Double.parseDouble(m.group(3)));
        }
      }
    }
    return new Snapshot(values);
  }

  /**
   * The steps between two snapshots: "key claim 1.2 ms (batch 1.8), users.get 1.4 ms, ..."; a step that did not run
   * in the window is left out. {@code json} gets the same figures.
   */
  static String between(Snapshot before, Snapshot after, JsonObject json) {
    StringBuilder text = new StringBuilder();
    for (Step step : STEPS) {
      double[] time = delta(before, after, step.time());
      if (time == null || time[1] <= 0) {
        continue;
      }
      double ms = time[0] / time[1] * 1000;
      JsonObject entry = new JsonObject().put("meanMs", Json.num(ms)).put("count", (long) time[1]);
      text.append(text.length() == 0 ? "" : ", ").append(step.label()).append(String.format(" %.1f ms", ms));
      double[] size = step.size() == null ? null : delta(before, after, step.size());
      if (size != null && size[1] > 0) {
        entry.put("meanBatch", Json.num(size[0] / size[1]));
        text.append(String.format(" (batch %.1f)", size[0] / size[1]));
      }
      json.put(step.label(), entry);
    }
    return text.toString();
  }

  /** {sum, count} of the series {@code nameAndLabels} ("name|labels that must all appear") over the window. */
  private static double[] delta(Snapshot before, Snapshot after, String nameAndLabels) {
    String name = nameAndLabels.substring(0, nameAndLabels.indexOf('|'));
    String[] labels = nameAndLabels.substring(nameAndLabels.indexOf('|') + 1).split(",");
    Double sum = find(after, name + "_sum", labels);
    Double count = find(after, name + "_count", labels);
    if (sum == null || count == null) {
      return null;
    }
    return new double[] {sum - orZero(find(before, name + "_sum", labels)),
        count - orZero(find(before, name + "_count", labels))};
  }

  /** The value of the one series {@code name} whose labels include all of {@code labels}. */
  private static Double find(Snapshot snapshot, String name, String[] labels) {
    for (Map.Entry<String, Double> e : snapshot.values().entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= key.contains(label);
      }
      if (all) {
        return e.getValue();
      }
    }
    return null;
  }

  private static double orZero(Double value) {
    return value == null ? 0 : value;
  }
}
