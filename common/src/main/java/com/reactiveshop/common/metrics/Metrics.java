package com.reactiveshop.common.metrics;

import com.reactiveshop.common.http.ApiRouter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;

/**
 * Prometheus metrics through Micrometer. HTTP series are labelled by route template ({@code /api/users/:id}), never
 * by raw path, which would give one series per id.
 * <p>
 * Latencies that matter get a histogram with the fixed buckets {@link #LATENCY_BUCKETS} (so Prometheus can compute
 * p50/p99 with {@code histogram_quantile}): Vert.x's HTTP server response time, and the NATS request timers (both
 * sides). Fixed, few buckets keep the scrape small; every other timer and summary keeps count, sum and max only.
 */
public final class Metrics {

  /** The histogram buckets of every latency series: 0.5 ms to 10 s, 14 buckets (and +Inf). */
  public static final Duration[] LATENCY_BUCKETS = {
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** Vert.x's timer of HTTP server requests ({@code vertx_http_server_response_time_seconds}). */
  public static final String HTTP_SERVER_RESPONSE_TIME = "vertx.http.server.response.time";

  private Metrics() {
  }

  public static MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // LOCAL tells the servers of one process apart (all-in-one mode runs every service in one JVM).
        .setLabels(EnumSet.of(Label.LOCAL, Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.NAMESPACE))
        // No histogram buckets for every timer (with route x method x code labels they made scrapes megabytes
        // large): only the latencies named in latencyHistograms() get them, with few fixed buckets.
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(false));
  }

  /** A Vert.x builder with metrics on, for the launcher and for tests. */
  public static VertxBuilder vertxBuilder(VertxOptions options) {
    return Vertx.builder().with(options.setMetricsOptions(options()))
        .withMetrics(new MicrometerMetricsFactory(newRegistry()));
  }

  public static Vertx newVertx() {
    return vertxBuilder(new VertxOptions()).build();
  }

  /**
   * The Prometheus registry Vert.x will use, with its filters in place before any meter exists (Vert.x keeps the
   * first registry of a JVM while it lives, so a later one is simply unused).
   */
  private static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(latencyHistograms());
    return registry;
  }

  /** Gives Vert.x's HTTP server response timer the buckets {@link #LATENCY_BUCKETS}. */
  static MeterFilter latencyHistograms() {
    double[] nanos = Arrays.stream(LATENCY_BUCKETS).mapToDouble(Duration::toNanos).toArray();
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!HTTP_SERVER_RESPONSE_TIME.equals(id.getName())) {
          return config;
        }
        return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
      }
    };
  }

  /** A timer builder with the latency histogram ({@link #LATENCY_BUCKETS}), for the project's own timers. */
  public static Timer.Builder latencyTimer(String name) {
    return Timer.builder(name).serviceLevelObjectives(LATENCY_BUCKETS);
  }

  public static void mount(ApiRouter router) {
    router.raw(HttpMethod.GET, "/metrics", PrometheusScrapingHandler.create());
    router.raw(HttpMethod.HEAD, "/metrics", PrometheusScrapingHandler.create());
  }
}
