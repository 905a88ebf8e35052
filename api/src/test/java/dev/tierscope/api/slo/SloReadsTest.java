package dev.tierscope.api.slo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The counter-read pool never drops a read: busy or shut down, the caller runs it. */
class SloReadsTest {

  @Test
  void readsRunOnThePoolAndOnTheCallerWhenThePoolIsFull() throws Exception {
    SloConfiguration.SloReads reads = SloConfiguration.SloReads.of(1);
    try {
      AtomicReference<String> ranOn = new AtomicReference<>();
      CountDownLatch done = new CountDownLatch(1);
      reads
          .executor()
          .execute(
              () -> {
                ranOn.set(Thread.currentThread().getName());
                done.countDown();
              });
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ranOn.get()).startsWith("slo-read-");

      // The thread busy, one read queued: the next runs on the caller.
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      reads
          .executor()
          .execute(
              () -> {
                started.countDown();
                await(release);
              });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      reads.executor().execute(() -> {});
      String caller = Thread.currentThread().getName();
      reads.executor().execute(() -> ranOn.set(Thread.currentThread().getName()));
      assertThat(ranOn.get()).isEqualTo(caller);
      release.countDown();
    } finally {
      reads.close();
    }
  }

  @Test
  void afterCloseTheCallerRunsTheRead() {
    SloConfiguration.SloReads reads = SloConfiguration.SloReads.of(2);
    reads.close();
    AtomicReference<String> ranOn = new AtomicReference<>();

    reads.executor().execute(() -> ranOn.set(Thread.currentThread().getName()));

    assertThat(ranOn.get()).isEqualTo(Thread.currentThread().getName());
  }

  @Test
  void noThreadsReadOnTheCaller() {
    AtomicReference<String> ranOn = new AtomicReference<>();

    SloConfiguration.SloReads.of(0)
        .executor()
        .execute(() -> ranOn.set(Thread.currentThread().getName()));

    assertThat(ranOn.get()).isEqualTo(Thread.currentThread().getName());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
