package com.reactiveshop.launcher;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The process's OpenTelemetry, configured by the standard {@code OTEL_*} variables through the SDK's autoconfigure
 * module, or none. Tracing is on when an OTLP endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}) or a traces exporter other than {@code none}
 * ({@code OTEL_TRACES_EXPORTER}) is set, unless {@code OTEL_SDK_DISABLED=true}; with none of them set nothing is
 * created and the services run untraced (no tracer in Vert.x at all).
 * <p>
 * Defaults that differ from the SDK's: {@code service.name} is the one service this process runs
 * ({@code order-service}, ...) or {@code reactive-shop} for several; metrics and logs are not exported over OTLP
 * ({@code /metrics} and the console carry them). Spans go over OTLP/HTTP ({@code http/protobuf}, port 4318): the
 * exporter is sent with the JDK's HTTP client, which has no gRPC. Scrapes of {@code /metrics} and health probes are
 * not traced ({@link ProbeSkippingSampler}).
 */
final class TracingFromEnv {

  private static final Set<String> SWITCHES = Set.of("OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER");

  private TracingFromEnv() {
  }

  /** Whether {@code env} asks for tracing. */
  static boolean wanted(Map<String, String> env) {
    if ("true".equalsIgnoreCase(trimmed(env.get("OTEL_SDK_DISABLED")))) {
      return false;
    }
    String exporter = trimmed(env.get("OTEL_TRACES_EXPORTER"));
    if (exporter != null && exporter.toLowerCase(Locale.ROOT).equals("none")) {
      return false;
    }
    return SWITCHES.stream().anyMatch(name -> trimmed(env.get(name)) != null);
  }

  /** The SDK {@code env} asks for, or null when it asks for no tracing. Close it last, to flush the last spans. */
  static OpenTelemetrySdk create(Map<String, String> env, String serviceName) {
    if (!wanted(env)) {
      return null;
    }
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> Map.of(
            "otel.service.name", serviceName,
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none",
            "otel.exporter.otlp.protocol", "http/protobuf"))
        .addSamplerCustomizer((sampler, config) -> new ProbeSkippingSampler(sampler))
        // Topology shuts it down, after Vert.x, so the spans of the stop itself are sent too.
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
  }

  /** {@code OTEL_SERVICE_NAME}, else the name of the one service {@code options} runs, else {@code reactive-shop}. */
  static String serviceName(LaunchOptions options) {
    String given = trimmed(options.env("OTEL_SERVICE_NAME"));
    if (given != null) {
      return given;
    }
    if (options.services().size() == 1) {
      return Part.of(options.services().iterator().next()).serviceName();
    }
    return "reactive-shop";
  }

  private static String trimmed(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
