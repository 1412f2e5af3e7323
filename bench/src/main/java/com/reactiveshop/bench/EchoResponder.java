package com.reactiveshop.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.time.Duration;

/**
 * The NATS ceiling: a plain jnats Dispatcher in queue group {@code q} that replies to each request with its body. No
 * Services API, no hop to an event loop, no JSON parsing.
 */
final class EchoResponder {

  static final String SUBJECT = "bench.echo";

  private EchoResponder() {
  }

  static void main(String natsUrl) throws Exception {
    Connection nc = Nats.connect(new Options.Builder().server(natsUrl).connectionName("bench-echo").build());
    Dispatcher dispatcher = nc.createDispatcher(msg -> {
      if (msg.getReplyTo() != null) {
        nc.publish(msg.getReplyTo(), msg.getData());
      }
    });
    dispatcher.subscribe(SUBJECT, "q");
    nc.flush(Duration.ofSeconds(5));
    System.out.println("READY echo-responder on " + SUBJECT + " (queue q)");
    System.out.flush();
  }
}
