package com.reactiveshop.launcher.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one check: violations (the system is wrong) and transient states (work in progress that is not late
 * yet: a hold within the sweeper's grace, a release not due yet, an event on its way). A quiet system that has
 * settled shows neither.
 */
public final class CheckReport {

  /** One finding: a snake_case kind, the id it is about (order, product, key), and a sentence with the numbers. */
  public record Finding(String kind, String id, String message) {
    @Override
    public String toString() {
      return "[" + kind + "] " + id + ": " + message;
    }
  }

  private final List<Finding> violations = new ArrayList<>();
  private final List<Finding> transients = new ArrayList<>();
  private final Map<String, Object> counts = new LinkedHashMap<>();
  private String note;

  void violation(String kind, String id, String message) {
    violations.add(new Finding(kind, id, message));
  }

  void transientState(String kind, String id, String message) {
    transients.add(new Finding(kind, id, message));
  }

  void count(String name, Object value) {
    counts.put(name, value);
  }

  CheckReport note(String text) {
    this.note = text;
    return this;
  }

  public List<Finding> violations() {
    return violations;
  }

  public List<Finding> transients() {
    return transients;
  }

  public Map<String, Object> counts() {
    return counts;
  }

  public boolean ok() {
    return violations.isEmpty();
  }

  /** No violation and nothing in progress either. */
  public boolean settled() {
    return violations.isEmpty() && transients.isEmpty();
  }

  /** A human-readable report; at most {@code perKind} findings of each kind are listed, then a count of the rest. */
  public String format(int perKind) {
    StringBuilder out = new StringBuilder();
    out.append("Invariant check: ");
    counts.forEach((name, value) -> out.append(name).append('=').append(value).append(' '));
    out.append('\n');
    if (note != null) {
      out.append(note).append('\n');
    }
    if (violations.isEmpty()) {
      out.append("OK: no violation");
    } else {
      out.append("VIOLATIONS: ").append(violations.size());
    }
    out.append(transients.isEmpty() ? "\n" : ", " + transients.size() + " transient state(s) (work in progress)\n");
    list(out, "violation", violations, perKind);
    list(out, "in progress", transients, perKind);
    return out.toString();
  }

  private static void list(StringBuilder out, String label, List<Finding> findings, int perKind) {
    Map<String, List<Finding>> byKind = new LinkedHashMap<>();
    findings.forEach(f -> byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f));
    byKind.forEach((kind, list) -> {
      out.append("  ").append(label).append(" ").append(kind).append(" (").append(list.size()).append(")\n");
      list.stream().limit(perKind).forEach(f -> out.append("    ").append(f.id()).append(": ").append(f.message())
          .append('\n'));
      if (list.size() > perKind) {
        out.append("    ... and ").append(list.size() - perKind).append(" more\n");
      }
    });
  }

  @Override
  public String toString() {
    return format(20);
  }
}
