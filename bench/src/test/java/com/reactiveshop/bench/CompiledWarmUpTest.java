package com.reactiveshop.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompiledWarmUpTest {

  /** CPU readings: each round adds {@code 1} s of JVM CPU, of which the given share is the compiler's. */
  private static Iterator<ProcCpu.JvmCpu> readings(double... jitShares) {
    List<ProcCpu.JvmCpu> list = new ArrayList<>();
    double total = 0;
    double jit = 0;
    list.add(new ProcCpu.JvmCpu(total, jit));
    for (double share : jitShares) {
      total += 1;
      jit += share;
      list.add(new ProcCpu.JvmCpu(total, jit));
      list.add(new ProcCpu.JvmCpu(total, jit)); // the next round's "before"
    }
    return list.iterator();
  }

  @Test
  void stopsAtTheFirstRoundWhereTheCompilerIsQuiet() throws Exception {
    Iterator<ProcCpu.JvmCpu> cpu = readings(0.45, 0.30, 0.08, 0.50);
    List<Integer> rounds = new ArrayList<>();
    CompiledWarmUp.Outcome outcome = CompiledWarmUp.run(cpu::next, 5, 90, rounds::add);
    assertEquals(List.of(5, 5, 5), rounds);
    assertEquals(15, outcome.seconds());
    assertTrue(outcome.settled());
    assertEquals(0.08, outcome.lastJitShare(), 1e-9);
  }

  @Test
  void givesUpAtTheLimitAndSaysSo() throws Exception {
    Iterator<ProcCpu.JvmCpu> cpu = readings(0.45, 0.40, 0.35, 0.30);
    CompiledWarmUp.Outcome outcome = CompiledWarmUp.run(cpu::next, 5, 15, seconds -> { });
    assertEquals(3, outcome.rounds());
    assertFalse(outcome.settled());
    assertTrue(outcome.text().contains("still compiling"));
  }
}
