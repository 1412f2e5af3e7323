package com.reactiveshop.launcher;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

import java.util.List;

/**
 * Drops the traces of Prometheus scrapes ({@code GET /metrics}) and health probes ({@code /health/...}), which would
 * otherwise fill the tracing backend with a trace per scrape and probe every few seconds; every other span is decided
 * by the configured sampler ({@code OTEL_TRACES_SAMPLER}). Vert.x sets {@code url.path} before a server span starts,
 * so the decision is made without the span ever being recorded.
 */
final class ProbeSkippingSampler implements Sampler {

  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

  private final Sampler delegate;

  ProbeSkippingSampler(Sampler delegate) {
    this.delegate = delegate;
  }

  @Override
  public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                     Attributes attributes, List<LinkData> parentLinks) {
    if (spanKind == SpanKind.SERVER) {
      String path = attributes.get(URL_PATH);
      if (path != null && (path.equals("/metrics") || path.startsWith("/health/"))) {
        return SamplingResult.drop();
      }
    }
    return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
  }

  @Override
  public String getDescription() {
    return "ProbeSkippingSampler{" + delegate.getDescription() + "}";
  }
}
