package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every store of breakdown slices ({@link CheckpointStore} writing them, {@link
 * SliceReader} reading them) must show: slices of several commits and instances merge exactly per
 * value, intervals split by window start, dimensions, tenants and classes stay apart, and a slice
 * the store cannot hold refuses its delta alone, and reads through 1 min and 1 h rollups equal the
 * raw windows.
 *
 * <p>Ships in core's test jar with the other store contracts; the in-memory store runs it in {@code
 * InMemoryStoreContractsTest}, PostgreSQL in the store module's {@code PostgresSliceStoreIT}. Every
 * case expects a store of its own when rollups are involved: rollup progress is global to a store.
 */
public abstract class SliceStoreContract {

  protected static final long WINDOW_MILLIS = 10_000;

  /** 2026-01-01T00:00:00Z. */
  protected static final long BASE_EPOCH_MILLIS = 1_767_225_600_000L;

  protected static final String CLASS = "interactive_premium";

  /**
   * The write seam, the breakdown read seam and the rollup job of one store.
   *
   * @param reader reads raw windows of {@link #WINDOW_MILLIS} and, once rolled up, the rollups
   */
  public record Stores(
      CheckpointStore checkpoints,
      SliceReader reader,
      java.util.function.Function<Rollups.Settings, Rollups> rollups) {}

  protected abstract Stores newStores();

  private CheckpointStore checkpoints;
  private SliceReader reader;
  private java.util.function.Function<Rollups.Settings, Rollups> rollups;
  private String group;
  private String tenant;

  @BeforeEach
  void setUpStores() {
    Stores stores = newStores();
    checkpoints = stores.checkpoints();
    reader = stores.reader();
    rollups = stores.rollups();
    String id = UUID.randomUUID().toString().substring(0, 8);
    group = "aggregator-" + id;
    tenant = "tenant-" + id;
  }

  @Test
  void slicesOfSeveralCommitsMergeExactlyPerValue() {
    SplittableRandom random = new SplittableRandom(19);
    Map<String, Histogram> expected = new java.util.TreeMap<>();
    Map<String, Long> requests = new java.util.TreeMap<>();
    for (int commit = 0; commit < 4; commit++) {
      List<Slice> slices = new ArrayList<>();
      for (String model : List.of("gpt-4o", "llama-3-70b", "unknown")) {
        Histogram h = new Histogram(2);
        int n = 1 + random.nextInt(200);
        for (int i = 0; i < n; i++) {
          h.recordValue(10_000 + random.nextInt(3_000_000));
        }
        slices.add(slice(Dimension.MODEL, model, h, n));
        expected.computeIfAbsent(model, m -> new Histogram(2)).add(h);
        requests.merge(model, (long) n, Long::sum);
      }
      // the same window from "another instance" every other commit
      assertThat(checkpoints.commit(group, 1, List.of(), List.of(delta(tenant, CLASS, 3, slices))))
          .isEmpty();
    }

    Map<String, Slice> read =
        reader.slicesPerInterval(tenant, CLASS, Dimension.MODEL, List.of(at(0), at(10))).get(0);

    assertThat(read).containsOnlyKeys(expected.keySet());
    assertThat(new ArrayList<>(read.keySet())).isSorted();
    expected.forEach(
        (model, h) -> {
          assertThat(read.get(model).histograms().get(Metric.TTFT)).as(model).isEqualTo(h);
          assertThat(read.get(model).requests()).isEqualTo(requests.get(model));
          assertThat(read.get(model).counters().get(Counter.STREAMS))
              .isEqualTo(requests.get(model));
        });
  }

  @Test
  void intervalsHoldTheWindowsStartingInThem() {
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(tenant, CLASS, 1, List.of(slice(Dimension.REGION, "eu-west-1", 100_000, 2))),
            delta(tenant, CLASS, 2, List.of(slice(Dimension.REGION, "eu-west-1", 200_000, 3))),
            delta(tenant, CLASS, 5, List.of(slice(Dimension.REGION, "us-east-1", 300_000, 5)))));

    List<Map<String, Slice>> read =
        reader.slicesPerInterval(
            tenant, CLASS, Dimension.REGION, List.of(at(0), at(2), at(5), at(6), at(9)));

    assertThat(read).hasSize(4);
    assertThat(read.get(0)).containsOnlyKeys("eu-west-1");
    assertThat(read.get(0).get("eu-west-1").requests()).isEqualTo(2);
    assertThat(read.get(1).get("eu-west-1").requests()).isEqualTo(3);
    assertThat(read.get(1)).doesNotContainKey("us-east-1");
    assertThat(read.get(2)).containsOnlyKeys("us-east-1");
    assertThat(read.get(3)).isEmpty();
  }

  @Test
  void dimensionsTenantsAndClassesAreKeptApart() {
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                tenant,
                CLASS,
                1,
                List.of(
                    slice(Dimension.MODEL, "gpt-4o", 100_000, 2),
                    slice(Dimension.SERVICE, "gpt-4o", 100_000, 7))),
            delta(tenant, "deferred_batch", 1, List.of(slice(Dimension.MODEL, "gpt-4o", 1, 11))),
            delta(tenant + "-other", CLASS, 1, List.of(slice(Dimension.MODEL, "gpt-4o", 1, 13)))));

    List<Instant> range = List.of(at(0), at(10));
    assertThat(reader.slicesPerInterval(tenant, CLASS, Dimension.MODEL, range).get(0))
        .hasEntrySatisfying("gpt-4o", s -> assertThat(s.requests()).isEqualTo(2));
    assertThat(reader.slicesPerInterval(tenant, CLASS, Dimension.SERVICE, range).get(0))
        .hasEntrySatisfying("gpt-4o", s -> assertThat(s.requests()).isEqualTo(7));
    assertThat(reader.slicesPerInterval(tenant, "deferred_batch", Dimension.MODEL, range).get(0))
        .hasEntrySatisfying("gpt-4o", s -> assertThat(s.requests()).isEqualTo(11));
    assertThat(reader.slicesPerInterval(tenant, CLASS, Dimension.REGION, range).get(0)).isEmpty();
    assertThat(reader.slicesPerInterval("nobody", CLASS, Dimension.MODEL, range).get(0)).isEmpty();
  }

  @Test
  void aSliceTheStoreCannotHoldRefusesItsDeltaAloneAndTheRestIsWritten() {
    WindowDelta bad = delta(tenant, CLASS, 1, List.of(slice(Dimension.MODEL, "bad\u0000", 1, 1)));
    WindowDelta good = delta(tenant, CLASS, 2, List.of(slice(Dimension.MODEL, "good", 1, 4)));

    List<RefusedDelta> refused = checkpoints.commit(group, 1, List.of(), List.of(bad, good));

    assertThat(refused).extracting(RefusedDelta::key).containsExactly(bad.key());
    Map<String, Slice> read =
        reader.slicesPerInterval(tenant, CLASS, Dimension.MODEL, List.of(at(0), at(10))).get(0);
    assertThat(read).containsOnlyKeys("good");
    assertThat(read.get("good").requests()).isEqualTo(4);
  }

  @Test
  void slicesReadThroughRollupsEqualTheRawWindows() {
    SplittableRandom random = new SplittableRandom(23);
    Map<String, Histogram> raw = new java.util.TreeMap<>();
    int windows = 2 * 360;
    List<WindowDelta> deltas = new ArrayList<>();
    for (int w = 0; w < windows; w++) {
      List<Slice> slices = new ArrayList<>();
      for (String model : List.of("gpt-4o", "llama-3-70b")) {
        Histogram h = new Histogram(2);
        for (int i = 0; i < 5; i++) {
          h.recordValue(50_000 + random.nextInt(3_000_000));
        }
        slices.add(slice(Dimension.MODEL, model, h, 5));
        raw.computeIfAbsent(model, m -> new Histogram(2)).add(h);
      }
      // the window's own histogram as well, as the aggregator writes it (rollup jobs count the
      // coarse windows by their histograms)
      Histogram all = new Histogram(2);
      slices.forEach(s -> all.add(s.histograms().get(Metric.TTFT)));
      WindowDelta d = delta(tenant, CLASS, w, slices);
      deltas.add(
          new WindowDelta(
              d.key(),
              d.windowMillis(),
              Map.of(Metric.TTFT, all),
              d.counters(),
              List.of(),
              slices));
    }
    assertThat(checkpoints.commit(group, 1, List.of(), deltas)).isEmpty();
    Instant end = at(windows);
    List<Instant> range = List.of(at(0), end);
    Map<String, Slice> before =
        reader.slicesPerInterval(tenant, CLASS, Dimension.MODEL, range).get(0);

    Rollups.Result r =
        rollups
            .apply(
                new Rollups.Settings(
                    List.of(10, 60, 3600),
                    Duration.ofMinutes(3),
                    // raw windows expire at once where the rollups cover them
                    Map.of(10, Duration.ZERO, 60, Duration.ofDays(35), 3600, Duration.ofDays(400)),
                    60))
            // a day later: a store may expire raw windows a whole day at a time (PostgreSQL
            // drops a day's partition once all of it is past retention)
            .run(end.plus(Duration.ofDays(1)));

    assertThat(r.windowsRolled()).containsEntry(60, 120).containsEntry(3600, 2);
    assertThat(r.rowsDeleted()).isPositive();
    Map<String, Slice> after =
        reader.slicesPerInterval(tenant, CLASS, Dimension.MODEL, range).get(0);
    for (Map<String, Slice> read : List.of(before, after)) {
      assertThat(read).containsOnlyKeys(raw.keySet());
      raw.forEach(
          (model, h) -> {
            assertThat(read.get(model).histograms().get(Metric.TTFT)).as(model).isEqualTo(h);
            assertThat(read.get(model).requests()).isEqualTo(windows * 5L);
          });
    }
    // the first hour alone, from the 1 h rollup
    Map<String, Slice> hour =
        reader.slicesPerInterval(tenant, CLASS, Dimension.MODEL, List.of(at(0), at(360))).get(0);
    assertThat(hour.get("gpt-4o").requests()).isEqualTo(360 * 5L);
  }

  protected static Instant at(int window) {
    return Instant.ofEpochMilli(BASE_EPOCH_MILLIS + window * WINDOW_MILLIS);
  }

  protected static WindowDelta delta(String tenant, String cls, int window, List<Slice> slices) {
    long requests = slices.isEmpty() ? 0 : slices.get(0).requests();
    return new WindowDelta(
        new WindowKey(tenant, cls, BASE_EPOCH_MILLIS + window * WINDOW_MILLIS),
        WINDOW_MILLIS,
        Map.of(),
        Map.of(CounterKey.of(Counter.REQUESTS), Math.max(1, requests)),
        List.of(),
        slices);
  }

  protected static Slice slice(Dimension d, String value, long ttftMicros, long requests) {
    Histogram h = new Histogram(2);
    for (int i = 0; i < requests; i++) {
      h.recordValue(ttftMicros + i);
    }
    return slice(d, value, h, requests);
  }

  protected static Slice slice(Dimension d, String value, Histogram ttft, long requests) {
    Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
    h.put(Metric.TTFT, ttft);
    Map<Counter, Long> c = new EnumMap<>(Counter.class);
    c.put(Counter.REQUESTS, requests);
    c.put(Counter.STREAMS, requests);
    return new Slice(d, value, h, c);
  }
}
