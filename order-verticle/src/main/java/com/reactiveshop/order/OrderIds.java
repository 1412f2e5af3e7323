package com.reactiveshop.order;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.NoArgGenerator;
import com.reactiveshop.common.http.ApiError;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Order ids are UUID strings; anything else cannot name an order and is simply not found. New ones are time-ordered.
 */
final class OrderIds {

  /**
   * Version 7 UUIDs (RFC 9562): the creation time in ms, then 74 random bits. Every store keys rows or documents by
   * these ids (PostgreSQL's orders, lines, pending releases and outbox; the reservation records' {@code _id} in
   * MongoDB), and a time-ordered key is inserted next to the last one, at the end of its B-tree. With random version 4
   * ids every insert of a batch landed on a leaf page of its own, so each commit rewrote (and the embedded server's
   * MVStore re-serialized) one page per order: measured at 64 connections, the JVM's CPU per order fell from 0.65 to
   * 0.48 ms, MVStore's serialization from 0.095 to 0.036 ms, and the MongoDB file after a minute from 950 to 320 MB.
   */
  private static final NoArgGenerator TIME_ORDERED = Generators.timeBasedEpochRandomGenerator();

  private static final Pattern UUID_SHAPE = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private OrderIds() {
  }

  /** A new order id, also used for outbox events. */
  static UUID next() {
    return TIME_ORDERED.generate();
  }

  static UUID require(String id) {
    if (id == null || !UUID_SHAPE.matcher(id).matches()) {
      throw notFound();
    }
    return UUID.fromString(id);
  }

  static ApiError notFound() {
    return ApiError.notFound("order_not_found", "No order has this id.");
  }
}
