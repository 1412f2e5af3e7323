package com.reactiveshop.common.service;

import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * What a service answers besides HTTP (its NATS micro service, see {@code NatsMicroService.endpoints}): started before
 * the HTTP server, so the first HTTP request can already count on it, and stopped after it. Declared here, built by
 * the module that speaks the protocol, so this module needs no NATS.
 */
@FunctionalInterface
public interface MessageEndpoints {

  /**
   * Starts answering, with handlers on {@code context} (the service instance's), each request within
   * {@code answerWithinMs} (0: no limit; see {@link ServiceDeclaration#answerWithin}).
   */
  Future<? extends Running> start(Context context, ServiceIdentity identity, long answerWithinMs);

  /** Endpoints that answer until stopped. */
  interface Running {

    /** This instance's id where the protocol shows one ({@code $SRV.INFO}). */
    String id();

    /** Stops taking requests and waits, bounded, for those in progress. */
    Future<Void> stop();
  }
}
