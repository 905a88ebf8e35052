package dev.tierscope.embedded;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the child JVM that {@link KafkaBroker} starts: ties the broker's life to the
 * parent's and then hands over to Kafka's own {@code kafka.Kafka} main.
 *
 * <p>The parent keeps this process's stdin pipe open and never writes to it. When the parent JVM
 * ends, for whatever reason (including SIGKILL), the operating system closes the pipe, the watchdog
 * thread sees end-of-file and the broker exits: first gracefully through {@link System#exit}, which
 * runs Kafka's own shutdown hook, and if that has not finished within {@value #HALT_AFTER_MS} ms,
 * by {@link Runtime#halt}.
 */
public final class BrokerMain {

  static final long HALT_AFTER_MS = 20_000;

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(BrokerMain::exitWhenParentGone, "tierscope-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    kafka.Kafka.main(args);
  }

  private static void exitWhenParentGone() {
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // the parent never writes; anything that arrives is ignored
      }
    } catch (IOException e) {
      // a broken pipe means the same as end-of-file: the parent is gone
    }
    Thread halter =
        new Thread(
            () -> {
              try {
                Thread.sleep(HALT_AFTER_MS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(1);
            },
            "tierscope-halter");
    halter.setDaemon(true);
    halter.start();
    System.exit(0);
  }
}
