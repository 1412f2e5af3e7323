package com.reactiveshop.bench;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** A Vert.x HTTP client with a bounded pool and helpers for the JSON calls of seeding and checking. */
final class Http implements AutoCloseable {

  /** An answer: status and body. */
  record Answer(int status, Buffer body) {
    JsonObject json() {
      return body.length() == 0 ? new JsonObject() : new JsonObject(body);
    }
  }

  private final HttpClientAgent client;

  Http(Vertx vertx, int connections) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
            .setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  Future<Answer> send(HttpMethod method, String url, MultiMap headers, Buffer body) {
    return send(method, url, headers, body, null);
  }

  /**
   * As above; with a {@code stage} (the checks' calls), notes in it how far the exchange got, for the message of a
   * call that never ends. The load generators pass none: their every request would pay for the notes.
   */
  private Future<Answer> send(HttpMethod method, String url, MultiMap headers, Buffer body,
                              AtomicReference<String> stage) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setIdleTimeout(10_000);
    if (headers != null) {
      options.setHeaders(headers);
    }
    note(stage, () -> "waiting for a pooled connection");
    return client.request(options)
        .compose(request -> {
          note(stage, () -> "sent on " + request.connection().localAddress() + ", no response yet");
          return body == null ? request.send() : request.send(body);
        })
        .compose(response -> {
          note(stage, () -> "answered " + response.statusCode() + ", body not complete");
          return response.body().map(b -> new Answer(response.statusCode(), b));
        });
  }

  private static void note(AtomicReference<String> stage, Supplier<String> what) {
    if (stage != null) {
      stage.set(what.get());
    }
  }

  /** Blocking: for the sequential parts (seeding, checks), never on an event loop. */
  Answer call(HttpMethod method, String url, JsonObject body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (body != null) {
      headers.add("Content-Type", "application/json");
    }
    AtomicReference<String> stage = new AtomicReference<>();
    Future<Answer> answer = send(method, url, headers, body == null ? null : body.toBuffer(), stage);
    try {
      return await(answer, 15);
    } catch (IllegalStateException e) {
      if (answer.isComplete()) {
        throw e; // it failed (refused, reset, idle timeout): an answer of its own, not a call that never ended
      }
      // Rare, and not understood yet (see StuckCall): say how far it got.
      throw new NoAnswer(method + " " + url + ": " + e.getMessage() + " (" + stage.get() + ")", url, e);
    }
  }

  /** A call that did not end within its 15 s; {@code url} is what it asked for. */
  static final class NoAnswer extends IllegalStateException {
    final String url;

    NoAnswer(String message, String url, Throwable cause) {
      super(message, cause);
      this.url = url;
    }
  }

  JsonObject getJson(String url) {
    Answer answer = call(HttpMethod.GET, url, null);
    if (answer.status() != 200) {
      throw new IllegalStateException("GET " + url + " answered " + answer.status() + ": " + answer.body());
    }
    return answer.json();
  }

  /** Every item of a paged list ({@code limit=100}), bounded to {@code maxItems}. */
  List<JsonObject> listAll(String url, int maxItems) {
    List<JsonObject> items = new ArrayList<>();
    for (int offset = 0; offset < maxItems; offset += 100) {
      JsonObject page = getJson(url + (url.contains("?") ? "&" : "?") + "limit=100&offset=" + offset);
      JsonArray array = page.getJsonArray("items");
      for (int i = 0; i < array.size(); i++) {
        items.add(array.getJsonObject(i));
      }
      if (array.size() < 100 || offset + 100 >= page.getLong("total", 0L)) {
        break;
      }
    }
    return items;
  }

  static <T> T await(Future<T> future, int seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(cause.toString(), cause);
    }
  }

  @Override
  public void close() {
    await(client.close(), 10);
  }
}
