package com.reactiveshop.user;

import com.reactiveshop.common.cache.CacheSettings;
import com.reactiveshop.common.metrics.Metrics;
import com.reactiveshop.common.service.ServiceSettings;
import com.reactiveshop.embedded.EmbeddedMongo;
import com.reactiveshop.embedded.EmbeddedNats;
import com.reactiveshop.nats.NatsBridge;
import com.reactiveshop.testing.JsonHttp;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static com.reactiveshop.testing.Await.await;

/**
 * Everything a user-service test needs, started on random ports: nats-server, the MongoDB-wire server, a Vert.x with
 * metrics running {@link UserVerticle}, an HTTP client and a separate jnats connection (as a CLI user would have).
 */
final class UserServiceFixture implements AutoCloseable {

  final EmbeddedNats natsServer = EmbeddedNats.start(0, null);
  final EmbeddedMongo mongo = EmbeddedMongo.inMemory();
  final Vertx vertx = Metrics.newVertx();
  final NatsBridge bridge;
  final Connection client;
  final WebClient http;
  final CacheSettings cacheSettings;
  String deploymentId;
  int port;

  UserServiceFixture() throws Exception {
    this(CacheSettings.DEFAULTS);
  }

  UserServiceFixture(CacheSettings cacheSettings) throws Exception {
    this.cacheSettings = cacheSettings;
    bridge = await(NatsBridge.connect(vertx, natsServer.url(), "user-service-test"));
    client = Nats.connect(new Options.Builder().server(natsServer.url()).reportNoResponders().build());
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    deploy();
  }

  void deploy() {
    UserVerticle verticle = new UserVerticle(bridge, mongo.uri(), ServiceSettings.local(0), cacheSettings);
    deploymentId = await(vertx.deployVerticle(verticle));
    port = verticle.httpPort();
  }

  void undeploy() {
    await(vertx.undeploy(deploymentId));
  }

  HttpResponse<Buffer> send(HttpMethod method, String path, String body) {
    return JsonHttp.send(http, port, method, path, body);
  }

  HttpResponse<Buffer> get(String path) {
    return send(HttpMethod.GET, path, null);
  }

  JsonObject createUser(String name, String email) {
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/api/users",
        new JsonObject().put("name", name).put("email", email).encode());
    if (response.statusCode() != 201) {
      throw new AssertionError("create failed: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  Message natsRequest(String subject, String payload) throws Exception {
    return client.request(subject, payload.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
  }

  @Override
  public void close() throws Exception {
    client.close();
    await(bridge.close());
    await(vertx.close());
    mongo.close();
    natsServer.close();
  }
}
