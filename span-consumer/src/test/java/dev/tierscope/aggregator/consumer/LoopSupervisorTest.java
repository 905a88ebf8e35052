package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A loop that stops on its own is restarted with backoff, and says so meanwhile. */
class LoopSupervisorTest {

  /**
   * A loop that fails at once the first {@code failures} times it is made, then runs until closed.
   */
  static final class Loop implements Runnable, AutoCloseable {
    final boolean fails;
    final CountDownLatch closed = new CountDownLatch(1);
    final CountDownLatch running = new CountDownLatch(1);

    Loop(boolean fails) {
      this.fails = fails;
    }

    @Override
    public void run() {
      if (fails) {
        throw new IllegalStateException("broker said no");
      }
      running.countDown();
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }

  @Test
  void restartsALoopThatStoppedWithBackoffAndReportsItDownMeanwhile() throws Exception {
    AtomicInteger made = new AtomicInteger();
    List<Loop> loops = new ArrayList<>();
    List<SupervisorStatus> seen = new ArrayList<>();
    LoopSupervisor<Loop> supervisor =
        new LoopSupervisor<>(
            "test-loop",
            () -> {
              Loop l = new Loop(made.incrementAndGet() <= 2);
              synchronized (loops) {
                loops.add(l);
              }
              return l;
            },
            Clock.systemUTC(),
            Duration.ofMillis(200),
            Duration.ofSeconds(5));
    long started = System.nanoTime();
    supervisor.start();
    // While it waits out a backoff, the supervisor reports the loop as not alive, with why.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      SupervisorStatus s = supervisor.status();
      seen.add(s);
      synchronized (loops) {
        if (loops.size() == 3 && loops.get(2).running.getCount() == 0) {
          break;
        }
      }
      Thread.sleep(5);
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(seen)
        .anySatisfy(
            s -> {
              assertThat(s.state()).isEqualTo(SupervisorStatus.State.RESTARTING);
              assertThat(s.alive()).isFalse();
              assertThat(s.lastFailure()).isEqualTo("IllegalStateException: broker said no");
            });
    SupervisorStatus now = supervisor.status();
    assertThat(now.state()).isEqualTo(SupervisorStatus.State.RUNNING);
    assertThat(now.alive()).isTrue();
    assertThat(now.restarts()).isEqualTo(2);
    // Backoff of 200 ms, then 400 ms: the third loop did not start before 600 ms.
    assertThat(tookMillis).isGreaterThanOrEqualTo(600);

    supervisor.close();
    assertThat(supervisor.status().state()).isEqualTo(SupervisorStatus.State.STOPPED);
    assertThat(loops.get(2).closed.getCount()).isZero();
    assertThat(made.get()).isEqualTo(3);
  }

  @Test
  void closingDuringABackoffStopsAtOnce() throws Exception {
    LoopSupervisor<Loop> supervisor =
        new LoopSupervisor<>(
            "failing",
            () -> new Loop(true),
            Clock.systemUTC(),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5));
    supervisor.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (supervisor.status().state() != SupervisorStatus.State.RESTARTING
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long before = System.nanoTime();

    supervisor.close();

    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - before)).isLessThan(10);
    assertThat(supervisor.status().state()).isEqualTo(SupervisorStatus.State.STOPPED);
    assertThat(supervisor.status().restarts()).isEqualTo(1);
  }
}
