package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Rollups} job must show together with the {@link WindowReader} of its
 * store: reads through 1 min and 1 h rollups give exactly the merge of the raw windows; only
 * complete windows are rolled up; a raw window changed after its rollup is rolled up again on the
 * next run, and running again changes nothing; retention deletes raw windows (and their exemplars)
 * only where the next resolution covers them, after which a range is answered from the rollups that
 * cover it.
 *
 * <p>Every case expects a store of its own, empty of data and of rollup progress: the progress of a
 * rollup job is global to its store. The expected answers are computed here from the values
 * written, never through the store.
 */
public abstract class RollupsContract extends StoreContract {

  private static final Instant T0 = Instant.ofEpochMilli(BASE_EPOCH_MILLIS);
  private static final Instant END = T0.plus(Duration.ofHours(3));
  private static final EnumSet<Metric> METRICS = EnumSet.of(Metric.TTFT, Metric.TOOLCHAIN);
  private static final EnumSet<Counter> COUNTERS =
      EnumSet.of(Counter.REQUESTS, Counter.INPUT_TOKENS, Counter.STREAMS);

  /**
   * The rollup job of the store {@link #newStores} returned for the current case.
   *
   * @param settings levels 10 s, 1 min, 1 h, as every case here uses
   */
  protected abstract Rollups rollups(Rollups.Settings settings);

  /**
   * The unit retention deletes in, aligned to the epoch: a window goes once every window of its
   * unit is past retention and covered by the next resolution ({@link Rollups}). Zero: window by
   * window, exactly at the cutoff (the in-memory reference).
   */
  protected Duration retentionGranularity() {
    return Duration.ZERO;
  }

  /** The instant before which retention with this cutoff deletes every window. */
  private Instant deletedBefore(Instant cutoff) {
    long unit = retentionGranularity().toMillis();
    return unit == 0
        ? cutoff
        : Instant.ofEpochMilli(Math.floorDiv(cutoff.toEpochMilli(), unit) * unit);
  }

  /** Values written per raw window start (epoch milliseconds): the model reads are checked with. */
  private final TreeMap<Long, Map<Metric, long[]>> values = new TreeMap<>();

  private final TreeMap<Long, Map<CounterKey, Long>> counts = new TreeMap<>();

  private static Rollups.Settings settings(Duration rawRetention) {
    return new Rollups.Settings(
        List.of(10, 60, 3600),
        Duration.ofMinutes(3),
        Map.of(10, rawRetention, 60, Duration.ofDays(35), 3600, Duration.ofDays(400)),
        60);
  }

  /**
   * Three hours of raw windows (one in ten without traffic), each with TTFT values, sometimes
   * tool-chain values, request and per-workflow token counters and one exemplar.
   */
  private void fillThreeHours() {
    SplittableRandom random = new SplittableRandom(11);
    List<WindowDelta> deltas = new ArrayList<>();
    int w = 0;
    for (Instant t = T0; t.isBefore(END); t = t.plusMillis(WINDOW_MILLIS), w++) {
      if (random.nextInt(10) == 0) {
        continue;
      }
      Map<Metric, long[]> v = new EnumMap<>(Metric.class);
      v.put(Metric.TTFT, ttftMicros(random, 1 + random.nextInt(6)));
      if (random.nextBoolean()) {
        v.put(Metric.TOOLCHAIN, e2eMicros(random, 1 + random.nextInt(3)));
      }
      Map<CounterKey, Long> c = new HashMap<>();
      c.put(CounterKey.of(Counter.REQUESTS), (long) v.get(Metric.TTFT).length);
      c.put(new CounterKey(Counter.INPUT_TOKENS, random.nextBoolean() ? "chat" : "rag"), 100L);
      deltas.add(
          delta(t, v, c, List.of(new Exemplar(String.format("%032x", w), v.get(Metric.TTFT)[0]))));
      if (deltas.size() == 200) {
        checkpoints.commit(group, 1, List.of(), deltas);
        deltas.clear();
      }
    }
    checkpoints.commit(group, 1, List.of(), deltas);
  }

  /** A delta of one raw window, remembered in the model. */
  private WindowDelta delta(
      Instant window, Map<Metric, long[]> v, Map<CounterKey, Long> c, List<Exemplar> exemplars) {
    long start = window.toEpochMilli();
    Map<Metric, long[]> modelValues =
        values.computeIfAbsent(start, s -> new EnumMap<>(Metric.class));
    Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
    v.forEach(
        (m, micros) -> {
          h.put(m, histogram(micros));
          modelValues.merge(m, micros, RollupsContract::concat);
        });
    c.forEach((k, n) -> counts.computeIfAbsent(start, s -> new HashMap<>()).merge(k, n, Long::sum));
    return new WindowDelta(new WindowKey(tenant, CLASS, start), WINDOW_MILLIS, h, c, exemplars);
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = new long[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private Map<CounterKey, Long> expectedCounters(Instant from, Instant to) {
    Map<CounterKey, Long> out = new HashMap<>();
    startingIn(counts, from, to)
        .values()
        .forEach(c -> c.forEach((k, n) -> out.merge(k, n, Long::sum)));
    return out;
  }

  /** The entries of windows starting in [from, to), instants compared exactly. */
  private static <V> Map<Long, V> startingIn(TreeMap<Long, V> byStart, Instant from, Instant to) {
    Map<Long, V> out = new TreeMap<>();
    byStart.forEach(
        (start, v) -> {
          Instant s = Instant.ofEpochMilli(start);
          if (!s.isBefore(from) && s.isBefore(to)) {
            out.put(start, v);
          }
        });
    return out;
  }

  private void assertReadsEqualTheModel(List<Instant> boundaries) {
    List<Map<Metric, Histogram>> merged =
        reader.mergedPerInterval(tenant, CLASS, METRICS, boundaries);
    List<Map<CounterKey, Long>> counted =
        reader.countersPerInterval(tenant, CLASS, COUNTERS, boundaries);
    for (int i = 0; i + 1 < boundaries.size(); i++) {
      Instant from = boundaries.get(i);
      Instant to = boundaries.get(i + 1);
      for (Metric m : METRICS) {
        assertSameDistribution(merged.get(i).get(m), expectedOf(m, from, to));
      }
      assertThat(counted.get(i))
          .as("counters of [%s, %s)", from, to)
          .isEqualTo(expectedCounters(from, to));
    }
  }

  /** What a read of [from, to) must answer: the values of the raw windows starting in it. */
  private Histogram expectedOf(Metric metric, Instant from, Instant to) {
    Histogram h = new Histogram(2);
    startingIn(values, from, to)
        .values()
        .forEach(
            v -> {
              if (v.containsKey(metric)) {
                h.add(histogram(v.get(metric)));
              }
            });
    return h;
  }

  /** Distinct coarse windows with a histogram among the raw windows of the model. */
  private int coarseWindowsWithValues(int seconds, Instant before) {
    TreeSet<Long> coarse = new TreeSet<>();
    for (long start : startingIn(values, T0, before).keySet()) {
      coarse.add(Math.floorDiv(start, seconds * 1000L));
    }
    return coarse.size();
  }

  // --- cases ----------------------------------------------------------------------------------

  @Test
  void readsThroughRollupsEqualTheRawWindowsForAnyIntervals() {
    fillThreeHours();
    Rollups.Result r = rollups(settings(Duration.ofDays(2))).run(END.plus(Duration.ofMinutes(10)));

    assertThat(r.ran()).isTrue();
    assertThat(r.windowsRolled())
        .containsOnly(
            Map.entry(60, coarseWindowsWithValues(60, END)),
            Map.entry(3600, coarseWindowsWithValues(3600, END)));
    assertThat(r.windowsRolled().get(3600)).isEqualTo(3);
    assertThat(r.rowsDeleted()).isZero();

    assertReadsEqualTheModel(List.of(T0, END));
    assertReadsEqualTheModel(
        List.of(T0, T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(2)), END));
    SplittableRandom random = new SplittableRandom(17);
    for (int q = 0; q < 20; q++) {
      List<Instant> b = new ArrayList<>();
      Instant t = T0.minusSeconds(60).plusMillis(random.nextLong(3_600_000));
      b.add(t);
      for (int i = 0; i < 1 + random.nextInt(4); i++) {
        t = t.plusMillis(1 + random.nextLong(2 * 3_600_000L));
        b.add(t);
      }
      assertReadsEqualTheModel(b);
    }
  }

  @Test
  void onlyCompleteWindowsAreRolledUpAndRetentionDeletesOnlyWhatRollupsCover() {
    fillThreeHours();
    // Two and a half hours in: minutes are complete up to 2:27 (3 min delay), hours up to 2:00.
    Instant now = T0.plus(Duration.ofMinutes(150));
    Rollups.Result r = rollups(settings(Duration.ZERO)).run(now);

    Instant minutesDone = T0.plus(Duration.ofMinutes(147));
    assertThat(r.windowsRolled())
        .containsOnly(
            Map.entry(60, coarseWindowsWithValues(60, minutesDone)),
            Map.entry(3600, coarseWindowsWithValues(3600, T0.plus(Duration.ofHours(2)))));
    // raw retention zero: every raw window the minutes cover is gone (histograms, counters and
    // exemplars, one row each; with a coarser granularity, those of the whole units the minutes
    // cover), and no other
    Instant deletedBefore = deletedBefore(minutesDone);
    Map<Long, Map<Metric, long[]>> gone = startingIn(values, T0, deletedBefore);
    long rows = 0;
    for (long start : gone.keySet()) {
      rows += values.get(start).size() + counts.get(start).size() + 1;
    }
    if (retentionGranularity().isZero()) {
      assertThat(r.rowsDeleted()).isEqualTo(rows);
    }
    assertThat(exemplars.slowest(tenant, CLASS, T0, deletedBefore, 1_000)).isEmpty();
    assertThat(exemplars.slowest(tenant, CLASS, deletedBefore, END, 1_000))
        .hasSize(startingIn(values, deletedBefore, END).size());

    // Whole minutes and hours are still answered exactly, from the rollups.
    assertReadsEqualTheModel(List.of(T0, T0.plus(Duration.ofHours(1)), END));
    assertReadsEqualTheModel(
        List.of(T0.plus(Duration.ofMinutes(90)), T0.plus(Duration.ofMinutes(151)), END));
    // A range starting inside a rolled-up minute has lost the raw windows before the minute, once
    // retention deleted them.
    Instant ragged = T0.plusSeconds(25);
    Instant firstMinute = T0.plusSeconds(60);
    Instant to = T0.plus(Duration.ofMinutes(5));
    Instant readFrom = deletedBefore.isAfter(ragged) ? firstMinute : ragged;
    assertSameDistribution(
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT), ragged, to).get(Metric.TTFT),
        expectedOf(Metric.TTFT, readFrom, to));
    assertThat(reader.counters(tenant, CLASS, ragged, to))
        .isEqualTo(expectedCounters(readFrom, to));
  }

  @Test
  void lateUpdateOfRolledUpWindowIsRolledUpAgainAndRerunChangesNothing() {
    fillThreeHours();
    Rollups rollups = rollups(settings(Duration.ofDays(2)));
    Instant now = END.plus(Duration.ofMinutes(10));
    rollups.run(now);

    // A very late request lands in a window the minute and hour rollups already cover.
    Instant late = T0.plusSeconds(300);
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                late,
                Map.of(Metric.TTFT, new long[] {7_000_000, 7_100_000}),
                Map.of(CounterKey.of(Counter.REQUESTS), 2L),
                List.of())));

    assertThat(rollups.run(now).windowsRolled()).containsOnly(Map.entry(60, 1), Map.entry(3600, 1));
    assertThat(rollups.run(now).windowsRolled()).containsOnly(Map.entry(60, 0), Map.entry(3600, 0));
    assertReadsEqualTheModel(List.of(T0, T0.plus(Duration.ofHours(1)), END));
    assertReadsEqualTheModel(List.of(T0.plusSeconds(60), T0.plusSeconds(360)));
  }

  @Test
  void windowsWrittenAfterARunBehindItsProgressAreRolledUpOnTheNextRun() {
    Rollups rollups = rollups(settings(Duration.ofDays(2)));
    Instant now = END.plus(Duration.ofMinutes(10));
    Rollups.Result empty = rollups.run(now);
    assertThat(empty.ran()).isTrue();
    assertThat(empty.windowsRolled()).containsOnly(Map.entry(60, 0), Map.entry(3600, 0));
    assertThat(empty.rowsDeleted()).isZero();

    fillThreeHours();
    Rollups.Result r = rollups.run(now);

    assertThat(r.windowsRolled())
        .containsOnly(
            Map.entry(60, coarseWindowsWithValues(60, END)),
            Map.entry(3600, coarseWindowsWithValues(3600, END)));
    assertReadsEqualTheModel(List.of(T0, T0.plus(Duration.ofHours(1)), END));
  }
}
