package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Checkpoints with claim-epoch fencing, and windows merged exactly over a range. */
class InMemoryWindowStoreTest {

  private static final String GROUP = "tierscope-aggregator";
  private static final String TOPIC = "tierscope.spans.v1";
  private static final long W0 = 1_700_000_000_000L;
  private static final long WINDOW = 10_000;

  private final InMemoryWindowStore store =
      new InMemoryWindowStore(Clock.fixed(Instant.ofEpochMilli(W0), ZoneOffset.UTC));

  private static Claimant member(int generation) {
    return new Claimant("member-" + generation, generation, Duration.ofMinutes(5));
  }

  private long claim(int partition, int generation) {
    return store.claim(GROUP, TOPIC, List.of(partition), member(generation)).get(partition).epoch();
  }

  private static PartitionCheckpoint checkpoint(
      int partition, long epoch, long nextOffset, byte... snapshot) {
    return new PartitionCheckpoint(TOPIC, partition, epoch, nextOffset, snapshot);
  }

  private static Histogram histogramOf(long... values) {
    Histogram h = new Histogram(2);
    for (long v : values) {
      h.recordValue(v);
    }
    return h;
  }

  private static WindowDelta delta(String cls, long windowStart, Histogram ttft, long requests) {
    return new WindowDelta(
        new WindowKey("acme", cls, windowStart),
        WINDOW,
        Map.of(Metric.TTFT, ttft),
        Map.of(CounterKey.of(Counter.REQUESTS), requests));
  }

  private static Instant millis(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis);
  }

  // --- checkpoints and fencing ----------------------------------------------------------------

  @Test
  void claimOfNeverCheckpointedPartitionsHasEpochsButNoCheckpoints() {
    Map<Integer, Claim> claims = store.claim(GROUP, TOPIC, List.of(0, 1), member(1));

    assertThat(claims).containsOnlyKeys(0, 1);
    assertThat(claims.values()).extracting(Claim::epoch).containsOnly(1L);
    assertThat(claims.values()).noneMatch(Claim::checkpointed);
  }

  @Test
  void claimReturnsTheLastCommittedCheckpointUnderANewEpoch() {
    long epoch = claim(0, 1);
    store.commit(GROUP, 1, List.of(checkpoint(0, epoch, 10, (byte) 1)), List.of());
    store.commit(GROUP, 1, List.of(checkpoint(0, epoch, 42, (byte) 1, (byte) 2)), List.of());

    Map<Integer, Claim> claimed = store.claim(GROUP, TOPIC, List.of(0, 1), member(2));

    assertThat(claimed.get(0).epoch()).isEqualTo(epoch + 1);
    assertThat(claimed.get(0).checkpoint().nextOffset()).isEqualTo(42);
    assertThat(claimed.get(0).checkpoint().snapshot()).containsExactly(1, 2);
    assertThat(claimed.get(0).checkpoint().claimEpoch()).isEqualTo(epoch + 1);
    assertThat(claimed.get(1).checkpointed()).isFalse();
  }

  @Test
  void checkpointsAreKeptPerGroupAndTopic() {
    store.commit(GROUP, 1, List.of(checkpoint(0, claim(0, 1), 42)), List.of());

    assertThat(store.claim("other-group", TOPIC, List.of(0), member(1)).get(0).checkpointed())
        .isFalse();
    assertThat(store.claim(GROUP, "other.topic", List.of(0), member(1)).get(0).checkpointed())
        .isFalse();
  }

  @Test
  void commitWithAnOlderEpochIsFencedAndWritesNothing() {
    long first = claim(0, 1);
    store.commit(
        GROUP,
        1,
        List.of(checkpoint(0, first, 10)),
        List.of(delta("deferred_batch", W0, histogramOf(5), 1)));
    claim(0, 2);

    assertThatThrownBy(
            () ->
                store.commit(
                    GROUP,
                    1,
                    List.of(checkpoint(0, first, 99)),
                    List.of(delta("deferred_batch", W0, histogramOf(7, 8), 2))))
        .isInstanceOf(FencedException.class)
        .hasMessage(
            "partition tierscope.spans.v1-0 is no longer held with claim epoch 1: a later claim"
                + " took it");

    assertThat(store.counters("acme", "deferred_batch", millis(W0), millis(W0 + WINDOW)))
        .containsOnly(entry(CounterKey.of(Counter.REQUESTS), 1L));
    assertThat(
            store
                .merged(
                    "acme", "deferred_batch", Set.of(Metric.TTFT), millis(W0), millis(W0 + WINDOW))
                .get(Metric.TTFT)
                .getTotalCount())
        .isEqualTo(1);
    assertThat(store.claim(GROUP, TOPIC, List.of(0), member(3)).get(0).checkpoint().nextOffset())
        .isEqualTo(10);
  }

  @Test
  void commitTouchingOneFencedPartitionWritesNoneOfThem() {
    long e0 = claim(0, 1);
    long e1 = claim(1, 1);
    claim(1, 2);

    assertThatThrownBy(
            () ->
                store.commit(
                    GROUP,
                    1,
                    List.of(checkpoint(0, e0, 10), checkpoint(1, e1, 10)),
                    List.of(delta("deferred_batch", W0, histogramOf(5), 1))))
        .isInstanceOf(FencedException.class);

    assertThat(store.claim(GROUP, TOPIC, List.of(0, 1), member(3)).values())
        .noneMatch(Claim::checkpointed);
    assertThat(store.counters("acme", "deferred_batch", millis(W0), millis(W0 + WINDOW))).isEmpty();
  }

  @Test
  void commitForAnUnclaimedPartitionIsFenced() {
    assertThatThrownBy(() -> store.commit(GROUP, 1, List.of(checkpoint(3, 1, 10)), List.of()))
        .isInstanceOf(FencedException.class)
        .hasMessage(
            "partition tierscope.spans.v1-3 is no longer held with claim epoch 1: a later claim"
                + " took it");
  }

  @Test
  void claimByAnOlderGenerationIsFencedWhileTheOwnerLooksAlive() {
    long epoch = claim(0, 5);

    assertThatThrownBy(() -> claim(0, 4))
        .isInstanceOf(FencedException.class)
        .hasMessage(
            "partition tierscope.spans.v1-0 is held by member-5 with generation 5, written 0 ms"
                + " ago; member-4 has generation 4");
    store.commit(GROUP, 5, List.of(checkpoint(0, epoch, 1)), List.of());
  }

  @Test
  void checkpointWithoutSnapshotHasAnEmptyOne() {
    assertThat(new PartitionCheckpoint(TOPIC, 0, 1, 0, null).snapshot()).isEmpty();
    assertThatThrownBy(() -> new PartitionCheckpoint(TOPIC, 0, 1, -1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nextOffset must be >= 0, was -1");
  }

  // --- windows --------------------------------------------------------------------------------

  @Test
  void mergedRangeEqualsOneHistogramOfAllItsValues() {
    store.commit(
        GROUP,
        1,
        List.of(),
        List.of(
            delta("interactive_premium", W0, histogramOf(100_000, 650_000), 2),
            delta("interactive_premium", W0 + WINDOW, histogramOf(700_000, 12_000_000), 2),
            delta("interactive_premium", W0 + 2 * WINDOW, histogramOf(300_000_000), 1),
            delta("interactive_premium", W0 - WINDOW, histogramOf(1), 1),
            delta("deferred_batch", W0, histogramOf(5_000_000), 1)));

    Map<Metric, Histogram> merged =
        store.merged(
            "acme",
            "interactive_premium",
            EnumSet.of(Metric.TTFT, Metric.EDGE),
            millis(W0),
            millis(W0 + 2 * WINDOW));

    assertThat(merged.get(Metric.TTFT))
        .isEqualTo(histogramOf(100_000, 650_000, 700_000, 12_000_000));
    assertThat(merged.get(Metric.EDGE).getTotalCount()).as("metric without data").isZero();
    assertThat(store.counters("acme", "interactive_premium", millis(W0), millis(W0 + 2 * WINDOW)))
        .containsOnly(entry(CounterKey.of(Counter.REQUESTS), 4L));
  }

  @Test
  void deltasForTheSameWindowMergeLikeSeveralInstancesWritingIt() {
    store.commit(GROUP, 1, List.of(), List.of(delta("deferred_batch", W0, histogramOf(10), 1)));
    store.commit(GROUP, 7, List.of(), List.of(delta("deferred_batch", W0, histogramOf(20, 30), 2)));

    assertThat(
            store
                .merged("acme", "deferred_batch", Set.of(Metric.TTFT), millis(W0), millis(W0 + 1))
                .get(Metric.TTFT))
        .isEqualTo(histogramOf(10, 20, 30));
    assertThat(store.counters("acme", "deferred_batch", millis(W0), millis(W0 + 1)))
        .containsOnly(entry(CounterKey.of(Counter.REQUESTS), 3L));
  }

  @Test
  void storedWindowIsNotAliasedToTheCommittedDelta() {
    Histogram deltaHistogram = histogramOf(10);
    store.commit(GROUP, 1, List.of(), List.of(delta("deferred_batch", W0, deltaHistogram, 1)));

    deltaHistogram.recordValue(20);
    Map<Metric, Histogram> first =
        store.merged("acme", "deferred_batch", Set.of(Metric.TTFT), millis(W0), millis(W0 + 1));
    first.get(Metric.TTFT).recordValue(30);

    assertThat(
            store
                .merged("acme", "deferred_batch", Set.of(Metric.TTFT), millis(W0), millis(W0 + 1))
                .get(Metric.TTFT))
        .isEqualTo(histogramOf(10));
  }

  @Test
  void emptyRangeReturnsEmptyHistogramsAndNoCounters() {
    store.commit(GROUP, 1, List.of(), List.of(delta("deferred_batch", W0, histogramOf(10), 1)));

    assertThat(
            store
                .merged(
                    "acme", "deferred_batch", Set.of(Metric.TTFT), millis(W0 + 1), millis(W0 + 1))
                .get(Metric.TTFT)
                .getTotalCount())
        .isZero();
    assertThat(store.counters("acme", "deferred_batch", millis(W0 + 1), millis(W0 + WINDOW)))
        .isEmpty();
    assertThat(store.counters("globex", "deferred_batch", millis(W0), millis(W0 + WINDOW)))
        .isEmpty();
  }

  // --- exemplars ------------------------------------------------------------------------------

  @Test
  void keepsTheSlowestExemplarsOfEachWindowAcrossCommits() {
    WindowKey key = new WindowKey("acme", "interactive_premium", W0);
    store.commit(
        GROUP,
        1,
        List.of(),
        List.of(
            new WindowDelta(
                key,
                WINDOW,
                Map.of(),
                Map.of(),
                List.of(
                    new Exemplar("a".repeat(32), 900),
                    new Exemplar("b".repeat(32), 700),
                    new Exemplar("c".repeat(32), 500),
                    new Exemplar("d".repeat(32), 300)))));
    store.commit(
        GROUP,
        2,
        List.of(),
        List.of(
            new WindowDelta(
                key,
                WINDOW,
                Map.of(),
                Map.of(),
                List.of(
                    new Exemplar("e".repeat(32), 800),
                    new Exemplar("a".repeat(32), 100),
                    new Exemplar("f".repeat(32), 700),
                    new Exemplar("0".repeat(32), 200)))));

    assertThat(store.slowest("acme", "interactive_premium", millis(W0), millis(W0 + 1), 100))
        .extracting(e -> e.exemplar().traceId().substring(0, 1) + e.exemplar().ttftMicros())
        .containsExactly("a900", "e800", "b700", "f700", "c500");
    assertThat(store.slowest("acme", "interactive_premium", millis(W0), millis(W0 + 1), 2))
        .extracting(StoredExemplar::windowStart)
        .containsOnly(millis(W0));
    assertThat(store.slowest("acme", "interactive_premium", millis(W0 + 1), millis(W0 + 2), 5))
        .isEmpty();
    assertThat(store.slowest("acme", "deferred_batch", millis(W0), millis(W0 + 1), 5)).isEmpty();
    assertThatThrownBy(
            () -> store.slowest("acme", "interactive_premium", millis(W0), millis(W0 + 1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
