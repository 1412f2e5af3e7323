package com.reactiveshop.common.logging;

import io.vertx.core.Context;

/**
 * The fields every log line of a service carries besides Logback's own (time, level, logger, message): the service
 * that logged it and the trace and span of the request it was logged for. They are taken per event from the Vert.x
 * context the event is logged on ({@link LogFieldsAppender}), never from a thread-global MDC, because one event loop
 * interleaves many requests and, in all-in-one mode, several services.
 */
public final class LogFields {

  public static final String SERVICE = "service";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";

  private static final String CONTEXT_KEY = "reactive-shop.log.service";

  private LogFields() {
  }

  /**
   * Names the service whose code runs on {@code context} (a verticle's; the requests it handles run on duplicates of
   * it, which share this): lines logged there carry it as {@code service}.
   */
  public static void tagService(Context context, String service) {
    context.put(CONTEXT_KEY, service);
  }

  /** The service a Vert.x context runs, or null (not a service's context, or no context). */
  public static String serviceOf(Context context) {
    return context == null ? null : context.get(CONTEXT_KEY);
  }
}
