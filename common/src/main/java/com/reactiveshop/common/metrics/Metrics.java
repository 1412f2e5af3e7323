package com.reactiveshop.common.metrics;

import com.reactiveshop.common.http.ApiRouter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.EnumSet;

/**
 * Prometheus metrics through Micrometer. HTTP series are labelled by route template ({@code /api/users/:id}), never
 * by raw path, which would give one series per id.
 */
public final class Metrics {

  private Metrics() {
  }

  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // LOCAL tells the servers of one process apart (all-in-one mode runs every service in one JVM).
        .setLabels(EnumSet.of(Label.LOCAL, Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.NAMESPACE))
        // No per-series histogram buckets: with route x method x code labels they made scrapes megabytes large.
        // Count, sum and max per series remain; percentiles belong to the load tester's side (bench/).
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(false));
  }

  /** A Vert.x builder with metrics on, for the launcher and for tests. */
  public static VertxBuilder vertxBuilder(VertxOptions options) {
    return Vertx.builder().with(options.setMetricsOptions(options())).withMetrics(new MicrometerMetricsFactory());
  }

  public static Vertx newVertx() {
    return vertxBuilder(new VertxOptions()).build();
  }

  public static void mount(ApiRouter router) {
    router.raw(HttpMethod.GET, "/metrics", PrometheusScrapingHandler.create());
    router.raw(HttpMethod.HEAD, "/metrics", PrometheusScrapingHandler.create());
  }
}
