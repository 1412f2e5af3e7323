package com.reactiveshop.embedded;

import java.nio.file.Path;

/**
 * The child JVM of {@link DurableWritesTest}: serves an H2 file on a free port, prints {@code PORT <n>}, and runs
 * until its stdin closes (so it also ends if the test JVM dies) or it is killed.
 */
public final class MongoChildMain {

  public static void main(String[] args) throws Exception {
    EmbeddedMongo mongo = EmbeddedMongo.start(Path.of(args[0]), 0);
    System.out.println("PORT " + mongo.port());
    System.out.flush();
    while (System.in.read() != -1) {
      // wait for EOF
    }
    mongo.close();
  }
}
