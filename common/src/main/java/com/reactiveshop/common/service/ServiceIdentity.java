package com.reactiveshop.common.service;

/**
 * How a service names itself: {@code name} in NATS, discovery, logs and traces; {@code version} and
 * {@code description} in the NATS Services API ({@code $SRV.INFO}); {@code api}, the path prefix its routes serve,
 * written into its discovery record for the gateway.
 */
public record ServiceIdentity(String name, String version, String api, String description) {
}
