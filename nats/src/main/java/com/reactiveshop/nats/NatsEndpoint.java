package com.reactiveshop.nats;

/** One endpoint of a NATS micro service: its name in {@code nats micro info}, its subject, its handler. */
public record NatsEndpoint(String name, String subject, NatsRequestHandler handler) {
}
