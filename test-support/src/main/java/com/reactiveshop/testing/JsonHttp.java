package com.reactiveshop.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.Map;

import static com.reactiveshop.testing.Await.await;

/** Blocking HTTP calls from the test thread to a service listening on 127.0.0.1, with JSON bodies. */
public final class JsonHttp {

  private JsonHttp() {
  }

  /** {@link #send(WebClient, int, HttpMethod, String, String, Map)} without extra headers. */
  public static HttpResponse<Buffer> send(WebClient client, int port, HttpMethod method, String path, String body) {
    return send(client, port, method, path, body, Map.of());
  }

  /**
   * Sends {@code body} (none when {@code null}) with {@code headers}, as {@code application/json} unless the headers
   * name another {@code Content-Type}, and waits for the answer.
   */
  public static HttpResponse<Buffer> send(WebClient client, int port, HttpMethod method, String path, String body,
      Map<String, String> headers) {
    HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", path);
    headers.forEach(request::putHeader);
    if (body == null) {
      return await(request.send());
    }
    if (!headers.containsKey("Content-Type")) {
      request.putHeader("Content-Type", "application/json");
    }
    return await(request.sendBuffer(Buffer.buffer(body)));
  }
}
