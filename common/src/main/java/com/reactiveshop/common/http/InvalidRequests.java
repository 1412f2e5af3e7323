package com.reactiveshop.common.http;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP decoder could not read (an overlong request line or header block, a garbled request
 * line, a bad Content-Length) with the contract's JSON error instead of the server's plain-text default.
 */
public final class InvalidRequests {

  private InvalidRequests() {
  }

  public static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    String text = cause == null ? "" : String.valueOf(cause.getMessage());
    ApiError error;
    if (cause instanceof TooLongFrameException && text.contains("line")) {
      error = new ApiError(414, "uri_too_long", "The request line is too long.");
    } else if (cause instanceof TooLongFrameException) {
      error = new ApiError(431, "headers_too_large", "The request headers are too large.");
    } else {
      error = new ApiError(400, "bad_request", "The request could not be read as HTTP/1.1.");
    }
    // The connection cannot be trusted to carry another request after a decoding failure.
    request.response().putHeader("Connection", "close");
    Reply.error(error).writeTo(request.response());
  }
}
