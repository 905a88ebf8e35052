package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.store.SliceStoreContract;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresCheckpointStore} and {@link PostgresWindowReader} against the breakdown slice
 * contract on a real PostgreSQL.
 */
class PostgresSliceStoreIT extends SliceStoreContract {

  private MigratedSchema db;
  private HikariDataSource dataSource;

  @Override
  protected Stores newStores() {
    // a schema per case: rollup progress is global to a store
    db = MigratedSchema.create("slices", 4);
    dataSource = db.dataSource;
    return new Stores(
        new PostgresCheckpointStore(dataSource),
        // read rollup progress on every query, so that a run shows at once
        new PostgresWindowReader(
            dataSource, 10, Duration.ZERO, WindowReadMetrics.NONE, Clock.systemUTC()),
        settings -> new PostgresRollups(dataSource, settings));
  }

  @AfterEach
  void dropSchema() throws SQLException {
    db.close();
  }

  @Test
  void concurrentInstancesMergeIntoTheSameSliceRowsExactly() throws Exception {
    String tenant = "concurrent-" + System.nanoTime();
    int instances = 4;
    int commits = 15;
    CyclicBarrier start = new CyclicBarrier(instances);
    ExecutorService pool = Executors.newFixedThreadPool(instances);
    Histogram expected = new Histogram(2);
    List<Callable<Void>> work = new ArrayList<>();
    for (int t = 0; t < instances; t++) {
      PostgresCheckpointStore store = new PostgresCheckpointStore(dataSource);
      List<List<Slice>> batches = new ArrayList<>();
      for (int i = 0; i < commits; i++) {
        long ttft = 100_000L + t * 10_000 + i;
        batches.add(
            List.of(
                slice(Dimension.MODEL, "gpt-4o", ttft, 1),
                slice(Dimension.MODEL, "model-" + (i % 3), ttft, 1)));
        expected.recordValue(ttft);
      }
      work.add(
          () -> {
            start.await(30, TimeUnit.SECONDS);
            for (List<Slice> b : batches) {
              store.commit("g", 1, List.of(), List.of(delta(tenant, CLASS, 2, b)));
            }
            return null;
          });
    }
    try {
      for (Future<Void> f : pool.invokeAll(work)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    Map<String, Slice> read =
        new PostgresWindowReader(dataSource, 10)
            .slicesPerInterval(tenant, CLASS, Dimension.MODEL, List.of(at(0), at(10)))
            .get(0);
    assertThat(read).containsOnlyKeys("gpt-4o", "model-0", "model-1", "model-2");
    assertThat(read.get("gpt-4o").histograms().get(Metric.TTFT)).isEqualTo(expected);
    assertThat(read.get("gpt-4o").requests()).isEqualTo(instances * commits);
    assertThat(read.values().stream().mapToLong(Slice::requests).sum())
        .isEqualTo(2L * instances * commits);
  }
}
