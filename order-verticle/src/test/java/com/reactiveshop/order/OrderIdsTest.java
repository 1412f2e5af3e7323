package com.reactiveshop.order;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderIdsTest {

  @Test
  void newIdsAreVersion7AndStartWithTheirCreationTime() {
    long before = System.currentTimeMillis();
    UUID id = OrderIds.next();
    long after = System.currentTimeMillis();
    assertEquals(7, id.version());
    assertEquals(2, id.variant());
    long millis = id.getMostSignificantBits() >>> 16;
    assertTrue(millis >= before && millis <= after, "timestamp " + millis + " not in [" + before + ", " + after + "]");
    assertEquals(id, OrderIds.require(id.toString()), "a new id is a valid order id");
  }

  @Test
  void idsFromLaterMillisecondsSortAfterEarlierOnesAndNeverRepeat() throws InterruptedException {
    List<UUID> ids = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 1000; i++) {
        ids.add(OrderIds.next());
      }
      Thread.sleep(2);
    }
    assertEquals(ids.size(), new HashSet<>(ids).size());
    UUID lastOfFirstRound = ids.get(999);
    for (UUID later : ids.subList(2000, 3000)) {
      // as text too: the stores compare the _id strings (MongoDB) and the uuid columns (PostgreSQL)
      assertTrue(later.toString().compareTo(lastOfFirstRound.toString()) > 0);
    }
  }

  @Test
  void anythingButAUuidIsNotFound() {
    assertThrows(RuntimeException.class, () -> OrderIds.require("not-a-uuid"));
  }
}
