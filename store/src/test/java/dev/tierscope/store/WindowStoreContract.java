package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.Claim;
import dev.tierscope.core.store.Claimant;
import dev.tierscope.core.store.FencedException;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.RefusedDelta;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every implementation of the store seams ({@link CheckpointStore} and {@link
 * WindowReader}) must show: claims and fencing by store-issued claim epochs (robust to Kafka's
 * generation numbers restarting lower: released rows, leases, a static member's own rows), atomic
 * commits, exact merging of window deltas from several aggregator instances, and deltas refused one
 * by one for their content (a NUL in a key, a sum beyond {@code bigint}) while the rest is written.
 *
 * <p>Why one contract: the in-memory store is the reference and the fake the layers above test
 * against, so it is only worth something if the PostgreSQL store provably behaves the same. Each
 * implementation extends this class and supplies its stores; the cases never look inside.
 *
 * <p>Implementations may share one database between the cases of a class: every case uses its own
 * consumer group, topic and tenant.
 */
public abstract class WindowStoreContract {

  /** Window size of every delta written here: 10 s, the raw resolution. */
  protected static final long WINDOW_MILLIS = 10_000;

  /** 2026-01-01T00:00:00Z, a multiple of the window size. */
  protected static final long BASE_EPOCH_MILLIS = 1_767_225_600_000L;

  protected static final String CLASS = "interactive_premium";

  /** The write seam and the read seam of one store (one object may implement both). */
  protected record Stores(CheckpointStore checkpoints, WindowReader reader) {}

  /**
   * The stores under test. Called before each case; what one case writes must be visible through
   * the reader of the same case.
   */
  protected abstract Stores newStores();

  /** The store as the members of successive generations use it ({@link GenerationMembers}). */
  protected GenerationMembers checkpoints;

  /** The write seam itself. */
  protected CheckpointStore store;

  protected WindowReader reader;
  protected String group;
  protected String topic;
  protected String tenant;

  @BeforeEach
  void setUpStores() {
    Stores stores = newStores();
    store = stores.checkpoints();
    checkpoints = new GenerationMembers(store);
    reader = stores.reader();
    String id = UUID.randomUUID().toString().substring(0, 8);
    group = "aggregator-" + id;
    topic = "tierscope.spans.v1-" + id;
    tenant = "tenant-" + id;
  }

  // --- claim ---------------------------------------------------------------------------------

  @Test
  void claimOfNeverCheckpointedPartitionsIsEmpty() {
    assertThat(checkpoints.claim(group, topic, List.of(0, 1, 2), 1)).isEmpty();
    // claimed but still never checkpointed: a newer owner finds nothing either
    assertThat(checkpoints.claim(group, topic, List.of(0, 1, 2), 2)).isEmpty();
  }

  @Test
  void claimReturnsLastCheckpointToSameAndNewerGeneration() {
    byte[] snapshot0 = "assembly state of partition 0".getBytes(StandardCharsets.UTF_8);
    byte[] snapshot1 = new byte[] {0, 1, 2, (byte) 0xff, 127, -128};
    checkpoints.claim(group, topic, List.of(0, 1), 3);
    checkpoints.commit(
        group, 3, List.of(checkpoint(0, 1_000, "old".getBytes(StandardCharsets.UTF_8))), List.of());
    checkpoints.commit(
        group,
        3,
        List.of(checkpoint(0, 1_250, snapshot0), checkpoint(1, 77, snapshot1)),
        List.of());

    Map<Integer, PartitionCheckpoint> same = checkpoints.claim(group, topic, List.of(0, 1), 3);
    assertThat(same).containsOnlyKeys(0, 1);
    assertCheckpoint(same.get(0), 0, 1_250, snapshot0);
    assertCheckpoint(same.get(1), 1, 77, snapshot1);

    Map<Integer, PartitionCheckpoint> newer = checkpoints.claim(group, topic, List.of(1, 2), 4);
    assertThat(newer).containsOnlyKeys(1);
    assertCheckpoint(newer.get(1), 1, 77, snapshot1);
  }

  @Test
  void emptySnapshotComesBackEmpty() {
    checkpoints.claim(group, topic, List.of(5), 1);
    checkpoints.commit(group, 1, List.of(checkpoint(5, 42, new byte[0])), List.of());

    PartitionCheckpoint back = checkpoints.claim(group, topic, List.of(5), 1).get(5);
    assertCheckpoint(back, 5, 42, new byte[0]);
  }

  @Test
  void checkpointsAreKeptPerConsumerGroupAndTopic() {
    String otherGroup = group + "-other";
    String otherTopic = topic + "-other";
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.commit(group, 1, List.of(checkpoint(0, 500, bytes(1))), List.of());

    assertThat(checkpoints.claim(otherGroup, topic, List.of(0), 1)).isEmpty();
    assertThat(checkpoints.claim(group, otherTopic, List.of(0), 1)).isEmpty();
    // another group with a newer generation does not fence this one
    checkpoints.claim(otherGroup, topic, List.of(0), 9);
    checkpoints.commit(group, 1, List.of(checkpoint(0, 600, bytes(2))), List.of());
    assertThat(checkpoints.claim(group, topic, List.of(0), 1).get(0).nextOffset()).isEqualTo(600);
  }

  // --- fencing -------------------------------------------------------------------------------

  @Test
  void commitFromFencedGenerationIsRefusedAndWritesNothing() {
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.commit(group, 1, List.of(checkpoint(0, 100, bytes(1))), List.of());
    checkpoints.claim(group, topic, List.of(0), 2);

    WindowDelta zombieDelta =
        delta(
            window(0),
            Map.of(Metric.TTFT, histogram(180_000, 240_000), Metric.E2E, histogram(2_100_000)),
            Map.of(CounterKey.of(Counter.REQUESTS), 2L));
    assertThatThrownBy(
            () ->
                checkpoints.commit(
                    group, 1, List.of(checkpoint(0, 250, bytes(9))), List.of(zombieDelta)))
        .isInstanceOf(FencedException.class);

    Map<Metric, Histogram> merged =
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT, Metric.E2E), from(0), to(1));
    assertThat(merged.get(Metric.TTFT).getTotalCount()).isZero();
    assertThat(merged.get(Metric.E2E).getTotalCount()).isZero();
    assertThat(reader.counters(tenant, CLASS, from(0), to(1))).isEmpty();
    // the new owner resumes from the last checkpoint the old owner was allowed to write
    PartitionCheckpoint resumed = checkpoints.claim(group, topic, List.of(0), 2).get(0);
    assertCheckpoint(resumed, 0, 100, bytes(1));
  }

  @Test
  void newOwnerCommitsAfterFencingTheOldOne() {
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.claim(group, topic, List.of(0), 2);
    assertThatThrownBy(
            () -> checkpoints.commit(group, 1, List.of(checkpoint(0, 10, bytes(1))), List.of()))
        .isInstanceOf(FencedException.class);

    checkpoints.commit(
        group,
        2,
        List.of(checkpoint(0, 20, bytes(2))),
        List.of(delta(window(0), Map.of(), Map.of(CounterKey.of(Counter.REQUESTS), 3L))));

    assertThat(reader.counters(tenant, CLASS, from(0), to(1)))
        .containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 3L));
    assertCheckpoint(checkpoints.claim(group, topic, List.of(0), 2).get(0), 0, 20, bytes(2));
  }

  @Test
  void claimByOlderGenerationThanOwnerIsRefused() {
    checkpoints.claim(group, topic, List.of(0), 5);
    checkpoints.commit(group, 5, List.of(checkpoint(0, 900, bytes(5))), List.of());

    assertThatThrownBy(() -> checkpoints.claim(group, topic, List.of(0), 4))
        .isInstanceOf(FencedException.class);

    // the refused claim took nothing away: the owner still commits, and sees its checkpoint
    checkpoints.commit(group, 5, List.of(checkpoint(0, 950, bytes(6))), List.of());
    assertCheckpoint(checkpoints.claim(group, topic, List.of(0), 5).get(0), 0, 950, bytes(6));
  }

  @Test
  void refusedClaimOfSeveralPartitionsTakesNoneOfThem() {
    checkpoints.claim(group, topic, List.of(0), 2);
    checkpoints.claim(group, topic, List.of(1), 7);

    assertThatThrownBy(() -> checkpoints.claim(group, topic, List.of(0, 1), 3))
        .isInstanceOf(FencedException.class);

    // generation 2 still owns partition 0: generation 3 never took it
    checkpoints.commit(group, 2, List.of(checkpoint(0, 30, bytes(3))), List.of());
    assertCheckpoint(checkpoints.claim(group, topic, List.of(0), 2).get(0), 0, 30, bytes(3));
  }

  @Test
  void commitOfNeverClaimedPartitionIsRefusedAndWritesNothing() {
    checkpoints.claim(group, topic, List.of(0), 1);

    WindowDelta d =
        delta(
            window(0),
            Map.of(Metric.TTFT, histogram(150_000)),
            Map.of(CounterKey.of(Counter.REQUESTS), 1L));
    assertThatThrownBy(
            () -> checkpoints.commit(group, 1, List.of(checkpoint(3, 10, bytes(1))), List.of(d)))
        .isInstanceOf(FencedException.class);

    assertThat(
            reader
                .merged(tenant, CLASS, EnumSet.of(Metric.TTFT), from(0), to(1))
                .get(Metric.TTFT)
                .getTotalCount())
        .isZero();
    assertThat(reader.counters(tenant, CLASS, from(0), to(1))).isEmpty();
    assertThat(checkpoints.claim(group, topic, List.of(3), 1)).isEmpty();
  }

  @Test
  void commitRefusedForOnePartitionWritesNoOtherPartition() {
    checkpoints.claim(group, topic, List.of(0, 1), 1);
    checkpoints.commit(
        group, 1, List.of(checkpoint(0, 10, bytes(1)), checkpoint(1, 10, bytes(1))), List.of());
    checkpoints.claim(group, topic, List.of(1), 2); // partition 1 moved to a newer generation

    assertThatThrownBy(
            () ->
                checkpoints.commit(
                    group,
                    1,
                    List.of(checkpoint(0, 20, bytes(2)), checkpoint(1, 20, bytes(2))),
                    List.of(
                        delta(
                            window(0),
                            Map.of(Metric.MODEL, histogram(900_000)),
                            Map.of(CounterKey.of(Counter.REQUESTS), 1L)))))
        .isInstanceOf(FencedException.class);

    assertCheckpoint(checkpoints.claim(group, topic, List.of(0), 1).get(0), 0, 10, bytes(1));
    assertThat(reader.counters(tenant, CLASS, from(0), to(1))).isEmpty();
    assertThat(
            reader
                .merged(tenant, CLASS, EnumSet.of(Metric.MODEL), from(0), to(1))
                .get(Metric.MODEL)
                .getTotalCount())
        .isZero();
  }

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

  // --- claim epochs and generation resets ------------------------------------------------------

  /**
   * Makes every checkpoint row look {@code d} older, as if that much time had passed since it was
   * written: the in-memory store advances its clock; rows in PostgreSQL, whose clock is the
   * database's, are written back in time.
   */
  protected abstract void letTimePass(Duration d);

  private static final Duration LEASE = Duration.ofSeconds(30);

  private Map<Integer, Claim> claimAs(String owner, int generation, Integer... partitions) {
    return store.claim(group, topic, List.of(partitions), new Claimant(owner, generation, LEASE));
  }

  private PartitionCheckpoint held(int partition, long epoch, long nextOffset, byte[] snapshot) {
    return new PartitionCheckpoint(topic, partition, epoch, nextOffset, snapshot);
  }

  @Test
  void everyClaimIssuesANewEpochThatFencesEveryOlderHolder() {
    long a = claimAs("member-a", 3, 0).get(0).epoch();
    long b = claimAs("member-b", 4, 0).get(0).epoch();
    assertThat(b).isGreaterThan(a);

    assertThatThrownBy(() -> store.commit(group, 3, List.of(held(0, a, 10, bytes(1))), List.of()))
        .isInstanceOf(FencedException.class);
    store.commit(group, 4, List.of(held(0, b, 20, bytes(2))), List.of());

    // the next claim fences b whatever the generations say: only liveness is compared
    letTimePass(LEASE.plusSeconds(1));
    Claim c = claimAs("member-a", 1, 0).get(0);
    assertThat(c.epoch()).isGreaterThan(b);
    assertCheckpoint(c.checkpoint(), 0, 20, bytes(2));
    assertThatThrownBy(() -> store.commit(group, 4, List.of(held(0, b, 30, bytes(3))), List.of()))
        .isInstanceOf(FencedException.class);
  }

  @Test
  void releasedPartitionIsTakenAtOnceByALowerGeneration() {
    // the group stopped cleanly and was deleted: its generations start again at 1
    Map<Integer, Claim> before = claimAs("member-a", 9, 0, 1);
    long old = before.get(0).epoch();
    long old1 = before.get(1).epoch();
    store.commit(
        group, 9, List.of(held(0, old, 500, bytes(5)), held(1, old1, 70, bytes(7))), List.of());
    store.release(group, topic, Map.of(0, old, 1, old1));

    Map<Integer, Claim> fresh = claimAs("member-b", 1, 0, 1);
    assertCheckpoint(fresh.get(0).checkpoint(), 0, 500, bytes(5));
    assertCheckpoint(fresh.get(1).checkpoint(), 1, 70, bytes(7));
    store.commit(group, 1, List.of(held(0, fresh.get(0).epoch(), 600, bytes(6))), List.of());
    assertThatThrownBy(
            () -> store.commit(group, 9, List.of(held(0, old, 650, bytes(9))), List.of()))
        .isInstanceOf(FencedException.class);
    assertCheckpoint(claimAs("member-b", 1, 0).get(0).checkpoint(), 0, 600, bytes(6));
  }

  @Test
  void lowerGenerationWaitsForTheLeaseOfAnOwnerThatLooksAlive() {
    long a = claimAs("member-a", 9, 0).get(0).epoch();
    store.commit(group, 9, List.of(held(0, a, 100, bytes(1))), List.of());

    assertThatThrownBy(() -> claimAs("member-b", 1, 0)).isInstanceOf(FencedException.class);
    // every commit keeps the owner alive for another lease
    letTimePass(LEASE.dividedBy(3).multipliedBy(2));
    store.commit(group, 9, List.of(held(0, a, 200, bytes(2))), List.of());
    letTimePass(LEASE.dividedBy(3).multipliedBy(2));
    assertThatThrownBy(() -> claimAs("member-b", 1, 0)).isInstanceOf(FencedException.class);
    store.commit(group, 9, List.of(held(0, a, 300, bytes(3))), List.of());

    // silent for longer than the lease: its partition is taken, and it is fenced
    letTimePass(LEASE.plusSeconds(1));
    Claim b = claimAs("member-b", 1, 0).get(0);
    assertCheckpoint(b.checkpoint(), 0, 300, bytes(3));
    assertThatThrownBy(() -> store.commit(group, 9, List.of(held(0, a, 400, bytes(4))), List.of()))
        .isInstanceOf(FencedException.class);
    store.commit(group, 1, List.of(held(0, b.epoch(), 400, bytes(4))), List.of());
  }

  @Test
  void sameOwnerReclaimsItsRowsAtOnceWithALowerGeneration() {
    // a static member (same group.instance.id) after the broker's data was wiped
    long before = claimAs("aggregator-0", 12, 0).get(0).epoch();
    store.commit(group, 12, List.of(held(0, before, 42, bytes(4))), List.of());

    Claim after = claimAs("aggregator-0", 1, 0).get(0);
    assertThat(after.epoch()).isGreaterThan(before);
    assertCheckpoint(after.checkpoint(), 0, 42, bytes(4));
    assertThatThrownBy(
            () -> store.commit(group, 12, List.of(held(0, before, 43, bytes(5))), List.of()))
        .isInstanceOf(FencedException.class);
  }

  @Test
  void resumeReadsBackWithoutANewEpochUntilSomeoneElseClaims() {
    long a = claimAs("member-a", 2, 0).get(0).epoch();
    store.commit(group, 2, List.of(held(0, a, 10, bytes(1))), List.of());

    Claim resumed = store.resume(group, topic, Map.of(0, a)).get(0);
    assertThat(resumed.epoch()).isEqualTo(a);
    assertCheckpoint(resumed.checkpoint(), 0, 10, bytes(1));
    // no new epoch: the holder still commits with the one it has
    store.commit(group, 2, List.of(held(0, a, 20, bytes(2))), List.of());

    claimAs("member-b", 3, 0);
    assertThatThrownBy(() -> store.resume(group, topic, Map.of(0, a)))
        .isInstanceOf(FencedException.class);
  }

  @Test
  void releasedPartitionCannotBeCommittedOrResumed() {
    long a = claimAs("member-a", 2, 0).get(0).epoch();
    store.release(group, topic, Map.of(0, a));

    assertThatThrownBy(() -> store.commit(group, 2, List.of(held(0, a, 10, bytes(1))), List.of()))
        .isInstanceOf(FencedException.class);
    assertThatThrownBy(() -> store.resume(group, topic, Map.of(0, a)))
        .isInstanceOf(FencedException.class);
    assertThat(claimAs("member-b", 1, 0).get(0).checkpointed()).isFalse();
  }

  @Test
  void releaseWithAnOlderEpochLeavesTheNewHolderInPlace() {
    long a = claimAs("member-a", 2, 0).get(0).epoch();
    long b = claimAs("member-b", 3, 0).get(0).epoch();

    store.release(group, topic, Map.of(0, a)); // a zombie letting go of what is no longer its own

    assertThatThrownBy(() -> claimAs("member-c", 1, 0)).isInstanceOf(FencedException.class);
    store.commit(group, 3, List.of(held(0, b, 5, bytes(5))), List.of());
    assertCheckpoint(store.resume(group, topic, Map.of(0, b)).get(0).checkpoint(), 0, 5, bytes(5));
  }

  // --- helpers -------------------------------------------------------------------------------

  protected WindowKey window(int index) {
    return new WindowKey(tenant, CLASS, BASE_EPOCH_MILLIS + index * WINDOW_MILLIS);
  }

  /** Start of window {@code index}. */
  protected static Instant from(int index) {
    return Instant.ofEpochMilli(BASE_EPOCH_MILLIS + index * WINDOW_MILLIS);
  }

  /** Start of window {@code index}, the exclusive end of a range ending with window index - 1. */
  protected static Instant to(int index) {
    return from(index);
  }

  protected PartitionCheckpoint checkpoint(int partition, long nextOffset, byte[] snapshot) {
    // epoch 0: GenerationMembers.commit writes it under the epoch of the committing generation
    return new PartitionCheckpoint(topic, partition, 0, nextOffset, snapshot);
  }

  protected static WindowDelta delta(
      WindowKey key, Map<Metric, Histogram> histograms, Map<CounterKey, Long> counters) {
    Map<Metric, Histogram> byMetric = new EnumMap<>(Metric.class);
    byMetric.putAll(histograms);
    return new WindowDelta(key, WINDOW_MILLIS, byMetric, counters);
  }

  /** A small distinct snapshot. */
  protected static byte[] bytes(int seed) {
    return ("snapshot-" + seed).getBytes(StandardCharsets.UTF_8);
  }

  /** A histogram as the aggregator records one (2 significant digits), in microseconds. */
  protected static Histogram histogram(long... micros) {
    Histogram h = new Histogram(2);
    for (long v : micros) {
      h.recordValue(v);
    }
    return h;
  }

  protected static Histogram histogram(long[]... parts) {
    Histogram h = new Histogram(2);
    for (long[] part : parts) {
      for (long v : part) {
        h.recordValue(v);
      }
    }
    return h;
  }

  /** Realistic times to first token: 80 ms to about 3 s, skewed towards the fast end. */
  protected static long[] ttftMicros(SplittableRandom random, int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      double u = random.nextDouble();
      out[i] = 80_000 + (long) (2_900_000 * u * u * u);
    }
    return out;
  }

  /** Realistic end-to-end streaming latencies: 1.5 s to about 40 s. */
  protected static long[] e2eMicros(SplittableRandom random, int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      double u = random.nextDouble();
      out[i] = 1_500_000 + (long) (38_500_000 * u * u);
    }
    return out;
  }

  /** Same count, min, max, mean, percentiles and count in every bucket. */
  protected static void assertSameDistribution(Histogram actual, Histogram expected) {
    assertThat(actual.getTotalCount()).as("total count").isEqualTo(expected.getTotalCount());
    assertThat(actual.getMaxValue()).as("max").isEqualTo(expected.getMaxValue());
    assertThat(actual.getMinValue()).as("min").isEqualTo(expected.getMinValue());
    for (double p : new double[] {50, 90, 95, 99, 99.9}) {
      assertThat(actual.getValueAtPercentile(p))
          .as("p%s", p)
          .isEqualTo(expected.getValueAtPercentile(p));
    }
    assertThat(buckets(actual)).as("bucket counts").isEqualTo(buckets(expected));
  }

  private static Map<Long, Long> buckets(Histogram h) {
    Map<Long, Long> out = new TreeMap<>();
    for (HistogramIterationValue v : h.recordedValues()) {
      out.put(h.lowestEquivalentValue(v.getValueIteratedTo()), v.getCountAtValueIteratedTo());
    }
    return out;
  }

  protected void assertCheckpoint(
      PartitionCheckpoint actual, int partition, long nextOffset, byte[] snapshot) {
    assertThat(actual).isNotNull();
    assertThat(actual.topic()).isEqualTo(topic);
    assertThat(actual.partition()).isEqualTo(partition);
    assertThat(actual.nextOffset()).isEqualTo(nextOffset);
    assertThat(actual.snapshot()).containsExactly(snapshot);
  }
}
