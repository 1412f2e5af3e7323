package com.reactiveshop.common.json;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Keeps Vert.x's JSON ({@code JsonObject} encode and decode, {@code Json.decodeValue}) on its streaming Jackson codec.
 * Vert.x switches every JSON operation to jackson-databind's {@code ObjectMapper} as soon as databind is on the class
 * path, and the JSON log encoder (logstash-logback-encoder, in the launcher) brings it: the request and reply paths
 * would change under the services without anyone asking. Registered as a {@link JsonFactory} service with the first
 * order, so {@code Json.CODEC} is this one whatever else the class path holds.
 */
public final class StreamingJsonFactory implements JsonFactory {

  private static final JacksonCodec CODEC = new JacksonCodec();

  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
