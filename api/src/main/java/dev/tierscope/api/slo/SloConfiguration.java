package dev.tierscope.api.slo;

import dev.tierscope.api.ApiProperties;
import dev.tierscope.core.slo.SeriesCalculator;
import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.store.SliceReader;
import dev.tierscope.core.store.WindowReader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The SLO feature: the core calculators of a range and of a series over the window reader, with
 * breakdowns from the slice reader (the window reader itself when it is one).
 */
@Configuration(proxyBeanMethods = false)
class SloConfiguration {

  @Bean
  SloCalculator sloCalculator(
      WindowReader reader, ObjectProvider<SliceReader> slices, SloReads reads) {
    return new SloCalculator(
        reader, slices.getIfAvailable(() -> sliceReaderOf(reader)), reads.executor());
  }

  @Bean(destroyMethod = "close")
  SloReads sloReads(ApiProperties properties) {
    return SloReads.of(properties.readThreads());
  }

  /**
   * The threads that read a report's counters while the request's thread reads its histograms.
   * Bounded: when all are busy and their short queue is full, the request's thread reads its
   * counters itself (one after the other, as with none), so that a burst never waits on them.
   */
  record SloReads(ThreadPoolExecutor pool) {

    static SloReads of(int threads) {
      if (threads == 0) {
        return new SloReads(null);
      }
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              threads,
              threads,
              60,
              TimeUnit.SECONDS,
              new ArrayBlockingQueue<>(threads),
              r -> {
                Thread t = new Thread(r, "slo-read-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              },
              // The caller reads them itself, also once the pool is shut down (CallerRunsPolicy
              // would then drop the read, and the report would wait for it forever).
              (r, executor) -> r.run());
      pool.allowCoreThreadTimeOut(true);
      return new SloReads(pool);
    }

    Executor executor() {
      return pool == null ? Runnable::run : pool;
    }

    void close() {
      if (pool != null) {
        pool.shutdown();
      }
    }
  }

  @Bean
  SeriesCalculator seriesCalculator(WindowReader reader, ObjectProvider<SliceReader> slices) {
    return new SeriesCalculator(reader, slices.getIfAvailable(() -> sliceReaderOf(reader)));
  }

  /** The window reader itself when it reads breakdowns too (the PostgreSQL and in-memory ones). */
  private static SliceReader sliceReaderOf(WindowReader reader) {
    return reader instanceof SliceReader s ? s : null;
  }
}
