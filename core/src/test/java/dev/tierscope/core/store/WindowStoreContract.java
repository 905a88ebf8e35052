package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link WindowReader} (over the {@link CheckpointStore} that writes its
 * windows) must show: deltas from several commits and instances merge exactly into one histogram
 * per window and metric, counters add up per dimension, a range holds exactly the windows starting
 * in it, tenants and classes apart, and deltas are refused one by one for their content (a NUL in a
 * key, a sum beyond {@code bigint}) while the rest is written.
 */
public abstract class WindowStoreContract extends StoreContract {

  // --- merging -------------------------------------------------------------------------------

  @Test
  void commitsFromTwoInstancesMergeIntoSingleHistogram() {
    String otherGroup = group + "-b";
    SplittableRandom random = new SplittableRandom(11);
    long[] ttftA = ttftMicros(random, 400);
    long[] ttftB = ttftMicros(random, 300);
    long[] e2eA = e2eMicros(random, 400);
    long[] e2eB = e2eMicros(random, 300);
    ttftB[0] = 9_750_000; // one slow outlier decides the max

    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.claim(otherGroup, topic, List.of(0), 1);
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 400, bytes(1))),
        List.of(
            delta(
                window(2),
                Map.of(Metric.TTFT, histogram(ttftA), Metric.E2E, histogram(e2eA)),
                Map.of(
                    CounterKey.of(Counter.REQUESTS), 400L,
                    CounterKey.of(Counter.STREAMS), 380L,
                    CounterKey.of(Counter.INTERRUPTED), 4L))));
    checkpoints.commit(
        otherGroup,
        1,
        List.of(checkpoint(0, 300, bytes(2))),
        List.of(
            delta(
                window(2),
                Map.of(Metric.TTFT, histogram(ttftB), Metric.E2E, histogram(e2eB)),
                Map.of(
                    CounterKey.of(Counter.REQUESTS), 300L,
                    CounterKey.of(Counter.STREAMS), 290L,
                    CounterKey.of(Counter.LATE_SPANS), 2L))));

    Map<Metric, Histogram> merged =
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT, Metric.E2E), from(2), to(3));
    assertSameDistribution(merged.get(Metric.TTFT), histogram(ttftA, ttftB));
    assertSameDistribution(merged.get(Metric.E2E), histogram(e2eA, e2eB));
    assertThat(merged.get(Metric.TTFT).getTotalCount()).isEqualTo(700);
    assertThat(merged.get(Metric.TTFT).getMaxValue()).isEqualTo(histogram(9_750_000).getMaxValue());
    assertThat(reader.counters(tenant, CLASS, from(2), to(3)))
        .containsOnly(
            Map.entry(CounterKey.of(Counter.REQUESTS), 700L),
            Map.entry(CounterKey.of(Counter.STREAMS), 670L),
            Map.entry(CounterKey.of(Counter.INTERRUPTED), 4L),
            Map.entry(CounterKey.of(Counter.LATE_SPANS), 2L));
  }

  @Test
  void manyCommitsOfOneInstanceMergeExactly() {
    SplittableRandom random = new SplittableRandom(5);
    checkpoints.claim(group, topic, List.of(0), 1);
    Histogram expected = new Histogram(2);
    for (int i = 1; i <= 10; i++) {
      long[] values = ttftMicros(random, 50);
      expected.add(histogram(values));
      checkpoints.commit(
          group,
          1,
          List.of(checkpoint(0, i * 50L, bytes(i))),
          List.of(
              delta(
                  window(0),
                  Map.of(Metric.TTFT, histogram(values)),
                  Map.of(CounterKey.of(Counter.REQUESTS), 50L))));
    }

    assertSameDistribution(
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT), from(0), to(1)).get(Metric.TTFT),
        expected);
    assertThat(reader.counters(tenant, CLASS, from(0), to(1)))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 500L));
    assertCheckpoint(checkpoints.claim(group, topic, List.of(0), 1).get(0), 0, 500, bytes(10));
  }

  @Test
  void commitWithoutCheckpointsMergesDeltas() {
    long[] values = {95_000, 130_000, 210_000, 450_000, 1_200_000};
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                window(0),
                Map.of(Metric.EDGE, histogram(values)),
                Map.of(CounterKey.of(Counter.REQUESTS), 5L, CounterKey.of(Counter.PARTIAL), 1L))));

    assertSameDistribution(
        reader.merged(tenant, CLASS, EnumSet.of(Metric.EDGE), from(0), to(1)).get(Metric.EDGE),
        histogram(values));
    assertThat(reader.counters(tenant, CLASS, from(0), to(1)))
        .containsOnly(
            Map.entry(CounterKey.of(Counter.REQUESTS), 5L),
            Map.entry(CounterKey.of(Counter.PARTIAL), 1L));
  }

  @Test
  void laterChangesToCommittedDeltaDoNotAlterStore() {
    Histogram h = histogram(300_000, 310_000);
    Map<CounterKey, Long> counters = new HashMap<>(Map.of(CounterKey.of(Counter.REQUESTS), 2L));
    checkpoints.commit(
        group, 1, List.of(), List.of(delta(window(0), Map.of(Metric.TTFT, h), counters)));

    h.recordValue(5_000_000);
    counters.put(CounterKey.of(Counter.REQUESTS), 99L);

    assertSameDistribution(
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT), from(0), to(1)).get(Metric.TTFT),
        histogram(300_000, 310_000));
    assertThat(reader.counters(tenant, CLASS, from(0), to(1)))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 2L));
  }

  // --- data the store refuses ----------------------------------------------------------------

  @Test
  void aDeltaWhoseKeyTheStoreCannotHoldIsRefusedAndEverythingElseWritten() {
    checkpoints.claim(group, topic, List.of(0), 1);
    WindowKey poisoned = new WindowKey(tenant + "\u0000x", CLASS, BASE_EPOCH_MILLIS);
    WindowDelta bad =
        delta(
            poisoned,
            Map.of(Metric.TTFT, histogram(100_000)),
            Map.of(CounterKey.of(Counter.REQUESTS), 1L));
    WindowDelta good =
        delta(
            window(0),
            Map.of(Metric.TTFT, histogram(200_000, 300_000)),
            Map.of(CounterKey.of(Counter.REQUESTS), 2L));

    List<RefusedDelta> refused =
        checkpoints.commit(group, 1, List.of(checkpoint(0, 700, bytes(7))), List.of(bad, good));

    assertThat(refused).extracting(RefusedDelta::key).containsExactly(poisoned);
    assertThat(refused.get(0).reason()).isNotBlank();
    assertThat(reader.counters(tenant, CLASS, from(0), to(1)))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 2L));
    assertCheckpoint(checkpoints.claim(group, topic, List.of(0), 1).get(0), 0, 700, bytes(7));
  }

  @Test
  void aCounterWhoseSumWouldLeaveItsTypeIsRefusedAndTheStoredSumKept() {
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                window(0), Map.of(), Map.of(CounterKey.of(Counter.INPUT_TOKENS), Long.MAX_VALUE))));

    List<RefusedDelta> refused =
        checkpoints.commit(
            group,
            1,
            List.of(),
            List.of(
                delta(window(0), Map.of(), Map.of(CounterKey.of(Counter.INPUT_TOKENS), 1L)),
                delta(window(1), Map.of(), Map.of(CounterKey.of(Counter.REQUESTS), 4L))));

    assertThat(refused).extracting(RefusedDelta::key).containsExactly(window(0));
    assertThat(reader.counters(tenant, CLASS, from(0), to(2)))
        .containsOnly(
            Map.entry(CounterKey.of(Counter.INPUT_TOKENS), Long.MAX_VALUE),
            Map.entry(CounterKey.of(Counter.REQUESTS), 4L));
  }

  @Test
  void aCommitOfGoodDataRefusesNothing() {
    assertThat(
            checkpoints.commit(
                group,
                1,
                List.of(),
                List.of(delta(window(0), Map.of(), Map.of(CounterKey.of(Counter.REQUESTS), 1L)))))
        .isEmpty();
  }

  // --- reading ranges ------------------------------------------------------------------------

  @Test
  void mergedIncludesOnlyWindowsStartingInRange() {
    long[][] ttft = {
      {110_000, 120_000}, {210_000, 220_000, 230_000}, {310_000}, {410_000, 420_000}
    };
    long[][] model = {{1_100_000}, {2_100_000, 2_200_000}, {3_100_000}, {4_100_000}};
    for (int w = 0; w < 4; w++) {
      checkpoints.commit(
          group,
          1,
          List.of(),
          List.of(
              delta(
                  window(w),
                  Map.of(Metric.TTFT, histogram(ttft[w]), Metric.MODEL, histogram(model[w])),
                  Map.of(CounterKey.of(Counter.REQUESTS), (long) ttft[w].length))));
    }

    // [start of window 1, start of window 3): windows 1 and 2, not 0, not 3
    Map<Metric, Histogram> merged =
        reader.merged(
            tenant, CLASS, EnumSet.of(Metric.TTFT, Metric.MODEL, Metric.MESH), from(1), to(3));
    assertThat(merged).containsOnlyKeys(Metric.TTFT, Metric.MODEL, Metric.MESH);
    assertSameDistribution(merged.get(Metric.TTFT), histogram(ttft[1], ttft[2]));
    assertSameDistribution(merged.get(Metric.MODEL), histogram(model[1], model[2]));
    assertThat(merged.get(Metric.MESH).getTotalCount()).isZero();
    assertThat(reader.counters(tenant, CLASS, from(1), to(3)))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 4L));

    // a range that ends one millisecond into window 3 includes it; one starting a millisecond
    // after window 0 starts does not include window 0
    Instant afterStartOf0 = from(0).plusMillis(1);
    Instant intoWindow3 = from(3).plusMillis(1);
    assertSameDistribution(
        reader
            .merged(tenant, CLASS, EnumSet.of(Metric.TTFT), afterStartOf0, intoWindow3)
            .get(Metric.TTFT),
        histogram(ttft[1], ttft[2], ttft[3]));
    assertThat(reader.counters(tenant, CLASS, afterStartOf0, intoWindow3))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 6L));
  }

  @Test
  void mergedOfRangeWithoutDataHasEmptyHistogramForEveryRequestedMetric() {
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                window(0),
                Map.of(Metric.TTFT, histogram(200_000)),
                Map.of(CounterKey.of(Counter.REQUESTS), 1L))));

    EnumSet<Metric> all = EnumSet.allOf(Metric.class);
    Map<Metric, Histogram> later = reader.merged(tenant, CLASS, all, from(1), to(100));
    assertThat(later).containsOnlyKeys(all);
    assertThat(later.values()).allSatisfy(h -> assertThat(h.getTotalCount()).isZero());
    assertThat(reader.counters(tenant, CLASS, from(1), to(100))).isEmpty();

    Map<Metric, Histogram> emptyRange = reader.merged(tenant, CLASS, all, from(0), from(0));
    assertThat(emptyRange).containsOnlyKeys(all);
    assertThat(emptyRange.values()).allSatisfy(h -> assertThat(h.getTotalCount()).isZero());

    Map<Metric, Histogram> unknownTenant =
        reader.merged("no-such-tenant-" + tenant, CLASS, EnumSet.of(Metric.TTFT), from(0), to(1));
    assertThat(unknownTenant.get(Metric.TTFT).getTotalCount()).isZero();
  }

  /**
   * Range bounds are instants, not milliseconds: a range starting half a millisecond after a window
   * starts does not contain that window, and one ending half a millisecond after a window starts
   * does.
   */
  @Test
  void rangeBoundsAreExactBelowOneMillisecond() {
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                window(1),
                Map.of(Metric.TTFT, histogram(250_000)),
                Map.of(CounterKey.of(Counter.REQUESTS), 1L))));
    Instant halfMilliIntoWindow1 = from(1).plusNanos(500_000);

    Map<Metric, Histogram> startsAfter =
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT), halfMilliIntoWindow1, to(5));
    assertThat(startsAfter.get(Metric.TTFT).getTotalCount()).isZero();
    assertThat(reader.counters(tenant, CLASS, halfMilliIntoWindow1, to(5))).isEmpty();

    Map<Metric, Histogram> endsAfter =
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT), from(0), halfMilliIntoWindow1);
    assertThat(endsAfter.get(Metric.TTFT).getTotalCount()).isEqualTo(1);
    assertThat(reader.counters(tenant, CLASS, from(0), halfMilliIntoWindow1))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 1L));
  }

  @Test
  void tenantsAndClassesAreKeptApart() {
    String otherTenant = tenant + "-other";
    String otherClass = "deferred_batch";
    checkpoints.commit(
        group,
        1,
        List.of(),
        List.of(
            delta(
                window(0),
                Map.of(Metric.TTFT, histogram(100_000)),
                Map.of(CounterKey.of(Counter.REQUESTS), 1L)),
            new WindowDelta(
                new WindowKey(otherTenant, CLASS, window(0).windowStartEpochMillis()),
                WINDOW_MILLIS,
                Map.of(Metric.TTFT, histogram(200_000, 200_000)),
                Map.of(CounterKey.of(Counter.REQUESTS), 2L)),
            new WindowDelta(
                new WindowKey(tenant, otherClass, window(0).windowStartEpochMillis()),
                WINDOW_MILLIS,
                Map.of(Metric.TTFT, histogram(4_000_000, 4_000_000, 4_000_000)),
                Map.of(CounterKey.of(Counter.REQUESTS), 3L))));

    assertSameDistribution(
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT), from(0), to(1)).get(Metric.TTFT),
        histogram(100_000));
    assertSameDistribution(
        reader.merged(otherTenant, CLASS, EnumSet.of(Metric.TTFT), from(0), to(1)).get(Metric.TTFT),
        histogram(200_000, 200_000));
    assertSameDistribution(
        reader.merged(tenant, otherClass, EnumSet.of(Metric.TTFT), from(0), to(1)).get(Metric.TTFT),
        histogram(4_000_000, 4_000_000, 4_000_000));
    assertThat(reader.counters(tenant, otherClass, from(0), to(1)))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 3L));
  }

  // --- counters ------------------------------------------------------------------------------

  @Test
  void tokenCountersPerWorkflowAreKeptApart() {
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 10, bytes(1))),
        List.of(
            delta(
                window(0),
                Map.of(),
                Map.of(
                    new CounterKey(Counter.INPUT_TOKENS, "support-chat"),
                    12_400L,
                    new CounterKey(Counter.OUTPUT_TOKENS, "support-chat"),
                    3_100L,
                    new CounterKey(Counter.INPUT_TOKENS, "code-review"),
                    88_000L,
                    CounterKey.of(Counter.REQUESTS),
                    9L)),
            delta(
                window(1),
                Map.of(),
                Map.of(new CounterKey(Counter.INPUT_TOKENS, "support-chat"), 600L))));
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 20, bytes(2))),
        List.of(
            delta(
                window(0),
                Map.of(),
                Map.of(
                    new CounterKey(Counter.INPUT_TOKENS, "code-review"),
                    2_000L,
                    new CounterKey(Counter.OUTPUT_TOKENS, "code-review"),
                    700L,
                    CounterKey.of(Counter.REQUESTS),
                    1L))));

    assertThat(reader.counters(tenant, CLASS, from(0), to(2)))
        .containsOnly(
            Map.entry(new CounterKey(Counter.INPUT_TOKENS, "support-chat"), 13_000L),
            Map.entry(new CounterKey(Counter.OUTPUT_TOKENS, "support-chat"), 3_100L),
            Map.entry(new CounterKey(Counter.INPUT_TOKENS, "code-review"), 90_000L),
            Map.entry(new CounterKey(Counter.OUTPUT_TOKENS, "code-review"), 700L),
            Map.entry(CounterKey.of(Counter.REQUESTS), 10L));
    assertThat(reader.counters(tenant, CLASS, from(1), to(2)))
        .containsExactly(Map.entry(new CounterKey(Counter.INPUT_TOKENS, "support-chat"), 600L));
  }

  // --- several intervals in one call ----------------------------------------------------------

  @Test
  void everyIntervalOfOneCallHoldsTheWindowsStartingInIt() {
    long[][] ttft = {{100_000}, {200_000, 210_000}, {300_000}, {400_000}, {500_000, 510_000}};
    for (int w = 0; w < ttft.length; w++) {
      checkpoints.commit(
          group,
          1,
          List.of(),
          List.of(
              delta(
                  window(w),
                  Map.of(Metric.TTFT, histogram(ttft[w])),
                  Map.of(
                      CounterKey.of(Counter.REQUESTS),
                      (long) ttft[w].length,
                      new CounterKey(Counter.INPUT_TOKENS, "chat"),
                      10L * (w + 1)))));
    }
    // [0, 2), an empty interval at 2, [2, 4), and [4, 9) ending long after the data
    List<Instant> boundaries = List.of(from(0), from(2), from(2), from(4), from(9));

    List<Map<Metric, Histogram>> merged =
        reader.mergedPerInterval(tenant, CLASS, EnumSet.of(Metric.TTFT, Metric.MODEL), boundaries);
    List<Map<CounterKey, Long>> counted =
        reader.countersPerInterval(
            tenant, CLASS, EnumSet.of(Counter.REQUESTS, Counter.INPUT_TOKENS), boundaries);

    assertThat(merged)
        .hasSize(4)
        .allSatisfy(m -> assertThat(m).containsOnlyKeys(Metric.TTFT, Metric.MODEL));
    assertSameDistribution(merged.get(0).get(Metric.TTFT), histogram(ttft[0], ttft[1]));
    assertThat(merged.get(1).get(Metric.TTFT).getTotalCount()).isZero();
    assertSameDistribution(merged.get(2).get(Metric.TTFT), histogram(ttft[2], ttft[3]));
    assertSameDistribution(merged.get(3).get(Metric.TTFT), histogram(ttft[4]));
    assertThat(merged).allSatisfy(m -> assertThat(m.get(Metric.MODEL).getTotalCount()).isZero());
    assertThat(counted)
        .containsExactly(
            Map.of(
                CounterKey.of(Counter.REQUESTS),
                3L,
                new CounterKey(Counter.INPUT_TOKENS, "chat"),
                30L),
            Map.of(),
            Map.of(
                CounterKey.of(Counter.REQUESTS),
                2L,
                new CounterKey(Counter.INPUT_TOKENS, "chat"),
                70L),
            Map.of(
                CounterKey.of(Counter.REQUESTS),
                2L,
                new CounterKey(Counter.INPUT_TOKENS, "chat"),
                50L));
    // only the counters asked for
    assertThat(
            reader.countersPerInterval(
                tenant, CLASS, EnumSet.of(Counter.INPUT_TOKENS), List.of(from(0), from(1))))
        .containsExactly(Map.of(new CounterKey(Counter.INPUT_TOKENS, "chat"), 10L));
  }

  @Test
  void boundariesThatDecreaseOrAreTooFewAreRefused() {
    assertThatThrownBy(
            () ->
                reader.mergedPerInterval(
                    tenant, CLASS, EnumSet.of(Metric.TTFT), List.of(from(2), from(1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                reader.countersPerInterval(
                    tenant, CLASS, EnumSet.of(Counter.REQUESTS), List.of(from(2))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
