package com.reactiveshop.launcher;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.vertx.core.json.Json;
import io.vertx.core.json.jackson.JacksonCodec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the OTEL_* variables switch on, the default service names, the log format check, Vert.x's JSON codec. */
class TracingFromEnvTest {

  @Test
  void tracingIsOffUnlessAnExporterOrEndpointIsSet() {
    assertFalse(TracingFromEnv.wanted(Map.of()));
    assertNull(TracingFromEnv.create(Map.of(), "reactive-shop"), "no SDK at all while off");
    assertFalse(TracingFromEnv.wanted(Map.of("OTEL_SERVICE_NAME", "shop")), "a name alone traces nothing");
    assertTrue(TracingFromEnv.wanted(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318")));
    assertTrue(TracingFromEnv.wanted(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://j:4318/v1/traces")));
    assertTrue(TracingFromEnv.wanted(Map.of("OTEL_TRACES_EXPORTER", "console")));
    assertFalse(TracingFromEnv.wanted(Map.of("OTEL_TRACES_EXPORTER", "none",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318")));
    assertFalse(TracingFromEnv.wanted(Map.of("OTEL_SDK_DISABLED", "true",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4318")));
  }

  @Test
  void anEndpointGivesAnSdkThatExportsOverOtlp() {
    // The SDK reads the real environment too; the endpoint asked for here is only used once spans end.
    OpenTelemetrySdk sdk = TracingFromEnv.create(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"),
        "order-service");
    assertNotNull(sdk);
    sdk.close();
  }

  @Test
  void scrapesAndProbesAreNotTraced() {
    Sampler sampler = new ProbeSkippingSampler(Sampler.alwaysOn());
    assertEquals(SamplingDecision.DROP, decide(sampler, SpanKind.SERVER, "/metrics"));
    assertEquals(SamplingDecision.DROP, decide(sampler, SpanKind.SERVER, "/health/ready"));
    assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampler, SpanKind.SERVER, "/api/orders"));
    assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampler, SpanKind.CLIENT, "/metrics"));
  }

  private static SamplingDecision decide(Sampler sampler, SpanKind kind, String path) {
    return sampler.shouldSample(Context.root(), "4bf92f3577b34da6a3ce929d0e0e4736", "GET", kind,
        Attributes.of(AttributeKey.stringKey("url.path"), path), List.of()).getDecision();
  }

  @Test
  void theServiceNameIsTheOneServiceRunOrTheSystem() {
    assertEquals("order-service", TracingFromEnv.serviceName(LaunchOptions.parse(
        new String[] {"--services", "order"}, Map.of())));
    assertEquals("gateway", TracingFromEnv.serviceName(LaunchOptions.parse(
        new String[] {"--services", "gateway"}, Map.of())));
    assertEquals("reactive-shop", TracingFromEnv.serviceName(LaunchOptions.parse(new String[0], Map.of())));
    assertEquals("shop-7", TracingFromEnv.serviceName(LaunchOptions.parse(new String[0],
        Map.of("OTEL_SERVICE_NAME", "shop-7"))));
  }

  @Test
  void anUnknownLogFormatIsAUsageError() {
    assertThrows(LaunchOptions.UsageException.class,
        () -> LaunchOptions.parse(new String[0], Map.of("LOG_FORMAT", "xml")));
    LaunchOptions.parse(new String[0], Map.of("LOG_FORMAT", "json"));
  }

  @Test
  void vertxKeepsItsStreamingJsonCodecBesideTheJsonLogEncoder() throws Exception {
    Class.forName("com.fasterxml.jackson.databind.ObjectMapper"); // brought by logstash-logback-encoder
    assertEquals(JacksonCodec.class, Json.CODEC.getClass());
  }
}
