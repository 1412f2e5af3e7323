package com.reactiveshop.launcher.observability;

import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.common.tracing.Tracing;
import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.embedded.EmbeddedPostgres;
import com.reactiveshop.gateway.GatewayVerticle;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.nats.discovery.NatsDiscovery;
import com.reactiveshop.order.OrderSettings;
import com.reactiveshop.order.OrderVerticle;
import com.reactiveshop.product.ProductVerticle;
import com.reactiveshop.user.UserVerticle;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static com.reactiveshop.testing.Await.await;

/**
 * The whole system on random ports, each part as its own "process" (its own Vert.x and NATS connection, and when
 * traced its own OpenTelemetry SDK named after it, as separate containers would have), all reporting spans to one
 * in-memory exporter: nats-server with JetStream, the MongoDB-wire server, PostgreSQL, the user, product and order
 * services, the gateway in front of them (found through NATS KV discovery), a plain HTTP client and a jnats client.
 */
final class ObservedSystem implements AutoCloseable {

  static final String USERS = "user-service";
  static final String PRODUCTS = "product-service";
  static final String ORDERS = "order-service";
  static final String GATEWAY = "gateway";

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final EmbeddedNats natsServer = EmbeddedNats.start(0, null);
  final EmbeddedMongo mongo = EmbeddedMongo.inMemory();
  final EmbeddedPostgres postgres = EmbeddedPostgres.start(null, 0, "order-service");
  final Map<String, Part> parts = new LinkedHashMap<>();
  final Connection client;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonObject discovery = NatsDiscovery.backendConfig("observability-test", Duration.ofSeconds(15));

  /** One part: its Vert.x, NATS connection, SDK (null untraced), deployment and HTTP port. */
  record Part(Vertx vertx, NatsBridge nats, OpenTelemetrySdk sdk, String deployment, int port) {
  }

  private ObservedSystem(boolean traced) throws Exception {
    ServiceSettings settings = new ServiceSettings(0, "127.0.0.1", discovery, 0);
    start(USERS, traced, nats -> new UserVerticle(nats, mongo.uri(), settings), v -> ((UserVerticle) v).httpPort());
    start(PRODUCTS, traced, nats -> new ProductVerticle(nats, mongo.uri(), settings),
        v -> ((ProductVerticle) v).httpPort());
    OrderSettings orderSettings = OrderSettings.defaults(postgres.uri()).withIntervals(200, 300);
    start(ORDERS, traced, nats -> new OrderVerticle(nats, orderSettings, settings),
        v -> ((OrderVerticle) v).httpPort());
    start(GATEWAY, traced, nats -> new GatewayVerticle("127.0.0.1", 0, discovery, nats),
        v -> ((GatewayVerticle) v).actualPort());
    client = Nats.connect(new Options.Builder().server(natsServer.url()).reportNoResponders().build());
  }

  /** Everything started; {@code traced}: each part with its own SDK exporting to {@link #spans}. */
  static ObservedSystem start(boolean traced) throws Exception {
    return new ObservedSystem(traced);
  }

  private void start(String name, boolean traced, Function<NatsBridge, Deployable> verticle,
                     Function<Deployable, Integer> port) {
    OpenTelemetrySdk sdk = traced ? sdk(name) : null;
    Vertx vertx = Tracing.newVertx(sdk);
    NatsBridge nats = await(NatsBridge.connect(vertx, natsServer.url(), name));
    NatsDiscovery.register(vertx, nats);
    Deployable deployable = verticle.apply(nats);
    String id = await(vertx.deployVerticle(deployable));
    parts.put(name, new Part(vertx, nats, sdk, id, port.apply(deployable)));
  }

  /** An SDK for one part: its spans carry {@code service.name}, and go to the shared exporter as they end. */
  private OpenTelemetrySdk sdk(String service) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), service))))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  int port(String part) {
    return parts.get(part).port();
  }

  Vertx vertx(String part) {
    return parts.get(part).vertx();
  }

  // ---- HTTP ----

  HttpResponse<String> send(String part, String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(part) + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    }
  }

  /** Through the gateway. */
  HttpResponse<String> viaGateway(String method, String path, String body) {
    return send(GATEWAY, method, path, body, Map.of());
  }

  HttpResponse<String> viaGateway(String method, String path, String body, Map<String, String> headers) {
    return send(GATEWAY, method, path, body, headers);
  }

  String createUser(String name) {
    HttpResponse<String> response = send(USERS, "POST", UserVerticle.API, new JsonObject().put("name", name)
        .put("email", name.replace(' ', '.') + System.nanoTime() + "@example.com").encode(), Map.of());
    return created(response).getString("id");
  }

  String createProduct(String name, long priceCents, long stock) {
    HttpResponse<String> response = send(PRODUCTS, "POST", ProductVerticle.API, new JsonObject().put("name", name)
        .put("priceCents", priceCents).put("stock", stock).encode(), Map.of());
    return created(response).getString("id");
  }

  static String orderBody(String userId, String productId, int quantity) {
    return new JsonObject().put("userId", userId).put("items", new JsonArray()
        .add(new JsonObject().put("productId", productId).put("quantity", quantity))).encode();
  }

  static JsonObject created(HttpResponse<String> response) {
    if (response.statusCode() != 201) {
      throw new AssertionError("expected 201, got " + response.statusCode() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** The Prometheus text a part serves at {@code /metrics}. */
  String metrics(String part) {
    HttpResponse<String> response = send(part, "GET", "/metrics", null, Map.of());
    if (response.statusCode() != 200) {
      throw new AssertionError("/metrics answered " + response.statusCode());
    }
    return response.body();
  }

  // ---- NATS and JetStream ----

  /** The events in the ORDERS stream about {@code orderId}, read from the start with an ordered consumer. */
  List<Message> eventsFor(String orderId) throws Exception {
    OrderedConsumerContext consumer = client.getStreamContext("ORDERS")
        .createOrderedConsumer(new OrderedConsumerConfiguration().filterSubject("orders.events.>"));
    List<Message> found = new ArrayList<>();
    for (Message m = consumer.next(Duration.ofSeconds(1)); m != null; m = consumer.next(Duration.ofSeconds(1))) {
      if (orderId.equals(new JsonObject(new String(m.getData(), StandardCharsets.UTF_8)).getString("id"))) {
        found.add(m);
      }
    }
    return found;
  }

  @Override
  public void close() {
    List<String> order = new ArrayList<>(parts.keySet());
    java.util.Collections.reverse(order);
    for (String name : order) {
      Part part = parts.get(name);
      try {
        await(part.vertx().undeploy(part.deployment()));
        await(part.nats().close());
      } finally {
        NatsDiscovery.unregister(part.vertx());
        await(part.vertx().close());
        if (part.sdk() != null) {
          part.sdk().close();
        }
      }
    }
    if (client != null) {
      try {
        client.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    mongo.close();
    postgres.close();
    natsServer.close();
  }
}
