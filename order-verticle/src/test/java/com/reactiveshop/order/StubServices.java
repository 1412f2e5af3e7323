package com.reactiveshop.order;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.service.ServiceMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Small stand-ins for the user and product services on NATS ({@code users.get}, {@code products.reserve},
 * {@code products.release}): each subject answers what the test sets, by default as a healthy service would, and every
 * request is kept, so a test can drive the order path into any answer (a refusal, silence) and see what it asked for.
 */
final class StubServices implements AutoCloseable {

  static final String USERS_GET = "users.get";
  static final String RESERVE = "products.reserve";
  static final String RELEASE = "products.release";

  /** A reply body, an error (its status and contract body, as the NATS micro protocol sends them), or silence. */
  record Answer(int status, JsonObject body) {

    static final Answer SILENCE = new Answer(0, null);

    static Answer ok(JsonObject body) {
      return new Answer(200, body);
    }

    static Answer error(int status, String code, JsonArray details) {
      JsonObject error = new JsonObject().put("code", code).put("message", "stubbed " + code);
      if (details != null) {
        error.put("details", details);
      }
      return new Answer(status, new JsonObject().put("error", error));
    }
  }

  private final Connection connection;
  private final Dispatcher dispatcher;
  private final Map<String, Function<JsonObject, Answer>> answers = new ConcurrentHashMap<>();
  private final Map<String, List<JsonObject>> requests = new ConcurrentHashMap<>();

  StubServices(Connection connection) throws Exception {
    this.connection = connection;
    this.dispatcher = connection.createDispatcher(this::answer);
    for (String subject : List.of(USERS_GET, RESERVE, RELEASE)) {
      requests.put(subject, new CopyOnWriteArrayList<>());
      dispatcher.subscribe(subject, "q");
    }
    connection.flush(Duration.ofSeconds(5)); // the server knows the subscriptions before the first request
    reset();
  }

  /** Every subject back to a healthy service's answers, and no requests seen. */
  void reset() {
    answers.put(USERS_GET, request -> Answer.ok(new JsonObject().put("id", request.getString("id"))
        .put("name", "Ada")));
    answers.put(RESERVE, request -> Answer.ok(reservation(request, 100)));
    answers.put(RELEASE, request -> Answer.ok(new JsonObject().put("orderId", request.getString("orderId"))
        .put("released", true)));
    requests.values().forEach(List::clear);
  }

  /** Nobody serves these subjects any more (as when the service is stopped): requests get no responders. */
  void down(String... subjects) throws Exception {
    for (String subject : subjects) {
      dispatcher.unsubscribe(subject);
    }
    connection.flush(Duration.ofSeconds(5));
  }

  /** These subjects are served again, after {@link #down}. */
  void up(String... subjects) throws Exception {
    for (String subject : subjects) {
      dispatcher.subscribe(subject, "q");
    }
    connection.flush(Duration.ofSeconds(5));
  }

  void answer(String subject, Function<JsonObject, Answer> answer) {
    answers.put(subject, answer);
  }

  List<JsonObject> requests(String subject) {
    return requests.get(subject);
  }

  /** What {@code products.reserve} answers when it takes everything asked, each product named after its id. */
  static JsonObject reservation(JsonObject request, long priceCents) {
    JsonArray items = new JsonArray();
    long total = 0;
    for (Object value : request.getJsonArray("items")) {
      JsonObject line = (JsonObject) value;
      items.add(line.copy().put("name", "Product " + line.getString("productId")).put("priceCents", priceCents));
      total += line.getInteger("quantity") * priceCents;
    }
    return new JsonObject().put("orderId", request.getString("orderId")).put("items", items).put("totalCents", total);
  }

  private void answer(Message message) {
    JsonObject request = new JsonObject(new String(message.getData(), StandardCharsets.UTF_8));
    requests.get(message.getSubject()).add(request);
    Answer answer = answers.get(message.getSubject()).apply(request);
    if (answer.status() == 0) {
      return;
    }
    byte[] body = answer.body().toBuffer().getBytes();
    if (answer.status() == 200) {
      connection.publish(message.getReplyTo(), body);
    } else {
      connection.publish(message.getReplyTo(), new Headers().put(ServiceMessage.NATS_SERVICE_ERROR, "stubbed")
          .put(ServiceMessage.NATS_SERVICE_ERROR_CODE, String.valueOf(answer.status())), body);
    }
  }

  @Override
  public void close() {
    connection.closeDispatcher(dispatcher);
  }
}
