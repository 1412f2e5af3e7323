package com.reactiveshop.bench;

/** Small JSON helpers: NaN and infinities are not JSON numbers, so an unknown figure is written as null. */
final class Json {

  private Json() {
  }

  static Double num(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return null;
    }
    return Math.round(value * 10_000.0) / 10_000.0;
  }
}
