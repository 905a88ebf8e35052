package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the contract suites of the store seams share: the stores under test, fresh names per case,
 * and helpers to write deltas and compare histograms.
 *
 * <p>Why contracts: the in-memory store is the reference and the fake the layers above test
 * against, so it is only worth something if the PostgreSQL store provably behaves the same. Each
 * implementation runs every suite ({@link CheckpointStoreContract}, {@link WindowStoreContract},
 * {@link ExemplarReaderContract}, {@link RollupsContract}, {@link TotalsContract}) by extending it
 * and supplying its stores; the cases never look inside. The suites ship in core's test jar ({@code
 * tierscope-core}, type {@code test-jar}) so that a store module can depend on them.
 *
 * <p>Implementations may share one database between the cases of a suite (except {@link
 * RollupsContract}, whose progress is global to a store): every case uses its own consumer group,
 * topic and tenant.
 */
public abstract class StoreContract {

  /** Window size of every delta written here: 10 s, the raw resolution. */
  protected static final long WINDOW_MILLIS = 10_000;

  /** 2026-01-01T00:00:00Z, a multiple of the window size. */
  protected static final long BASE_EPOCH_MILLIS = 1_767_225_600_000L;

  protected static final String CLASS = "interactive_premium";

  /**
   * The seams of one store (one object may implement all of them).
   *
   * @param checkpoints the write seam
   * @param reader the window read seam, raw windows of {@link #WINDOW_MILLIS}
   * @param exemplars the exemplar read seam
   */
  public record Stores(
      CheckpointStore checkpoints, WindowReader reader, ExemplarReader exemplars) {}

  /**
   * The stores under test. Called before each case; what one case writes must be visible through
   * the readers of the same case.
   */
  protected abstract Stores newStores();

  /**
   * The store as the members of successive consumer group generations use it ({@link
   * GenerationMembers}): the cases about generations read as before the claim epochs.
   */
  protected GenerationMembers checkpoints;

  /** The write seam itself, for the cases about claim epochs, owners, leases and releases. */
  protected CheckpointStore store;

  protected WindowReader reader;
  protected ExemplarReader exemplars;
  protected String group;
  protected String topic;
  protected String tenant;

  @BeforeEach
  void setUpStores() {
    Stores stores = newStores();
    store = stores.checkpoints();
    checkpoints = new GenerationMembers(store);
    reader = stores.reader();
    exemplars = stores.exemplars();
    String id = UUID.randomUUID().toString().substring(0, 8);
    group = "aggregator-" + id;
    topic = "tierscope.spans.v1-" + id;
    tenant = "tenant-" + id;
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
