package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.ClassTotals;
import dev.tierscope.core.store.FencedException;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.RefusedDelta;
import dev.tierscope.core.store.TenantScope;
import dev.tierscope.core.store.TotalsReader;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link TotalsReader} behind a {@link CheckpointStore} must show: the totals
 * of a class are exactly the merge of every delta committed for it, whichever window, generation or
 * instance committed it; a refused commit adds nothing, nor does a delta the store refuses; tenants
 * and classes stay apart; a tenant scope filters.
 *
 * <p>Implementations may share one database between cases: every case uses its own tenants.
 */
public abstract class TotalsContract {

  static final long WINDOW_MILLIS = 10_000;
  static final long BASE_EPOCH_MILLIS = 1_767_225_600_000L;
  static final String CLASS = "interactive_premium";
  static final String OTHER_CLASS = "deferred_batch";

  /** The write seam, the totals and the windows of one store. */
  protected record Stores(CheckpointStore checkpoints, TotalsReader totals, WindowReader windows) {}

  protected abstract Stores newStores();

  /** The store as the members of successive generations use it ({@link GenerationMembers}). */
  protected GenerationMembers checkpoints;

  /** The write seam itself. */
  protected CheckpointStore store;

  protected TotalsReader totals;
  protected WindowReader windows;
  protected String group;
  protected String topic;
  protected String tenant;

  @BeforeEach
  void setUpStores() {
    Stores s = newStores();
    store = s.checkpoints();
    checkpoints = new GenerationMembers(store);
    totals = s.totals();
    windows = s.windows();
    String id = UUID.randomUUID().toString().substring(0, 8);
    group = "aggregator-" + id;
    topic = "spans-" + id;
    tenant = "tenant-" + id;
  }

  @Test
  void totalsAreTheMergeOfEveryCommittedDeltaAcrossWindowsAndCommits() {
    checkpoints.claim(group, topic, List.of(0), 1);
    SplittableRandom random = new SplittableRandom(11);
    Histogram expectedTtft = new Histogram(2);
    Histogram expectedTool = new Histogram(2);
    long requests = 0;
    long fallbacks = 0;
    for (int commit = 0; commit < 6; commit++) {
      List<WindowDelta> deltas = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        Histogram ttft = new Histogram(2);
        Histogram tool = new Histogram(2);
        int n = 1 + random.nextInt(40);
        for (int i = 0; i < n; i++) {
          ttft.recordValue(1_000 + random.nextInt(3_000_000));
          tool.recordValue(50_000 + random.nextInt(9_000_000));
        }
        expectedTtft.add(ttft);
        expectedTool.add(tool);
        long f = random.nextInt(3);
        requests += n;
        fallbacks += f;
        Map<CounterKey, Long> counters = new HashMap<>();
        counters.put(CounterKey.of(Counter.REQUESTS), (long) n);
        if (f > 0) {
          counters.put(CounterKey.of(Counter.RETRIEVAL_FALLBACKS), f);
        }
        counters.put(new CounterKey(Counter.INPUT_TOKENS, "chat"), 10L * n);
        // windows overlap between commits: late requests land in windows already written
        deltas.add(
            delta(
                tenant,
                CLASS,
                commit + w,
                Map.of(Metric.TTFT, ttft, Metric.TOOLCHAIN, tool),
                counters));
      }
      checkpoints.commit(group, 1, List.of(checkpoint(0, 100L * (commit + 1))), deltas);
    }

    ClassTotals t = only(totals.totals(TenantScope.only(List.of(tenant))));
    assertThat(t.tenant()).isEqualTo(tenant);
    assertThat(t.trafficClass()).isEqualTo(CLASS);
    assertThat(t.histograms()).containsOnlyKeys(Metric.TTFT, Metric.TOOLCHAIN);
    assertThat(t.histograms().get(Metric.TTFT)).isEqualTo(expectedTtft);
    assertThat(t.histograms().get(Metric.TOOLCHAIN)).isEqualTo(expectedTool);
    assertThat(t.counters())
        .containsEntry(CounterKey.of(Counter.REQUESTS), requests)
        .containsEntry(CounterKey.of(Counter.RETRIEVAL_FALLBACKS), fallbacks)
        .containsEntry(new CounterKey(Counter.INPUT_TOKENS, "chat"), 10L * requests)
        .hasSize(3);
    // ... and equal to every window merged
    Map<Metric, Histogram> merged =
        windows.merged(
            tenant,
            CLASS,
            EnumSet.of(Metric.TTFT, Metric.TOOLCHAIN),
            Instant.ofEpochMilli(BASE_EPOCH_MILLIS),
            Instant.ofEpochMilli(BASE_EPOCH_MILLIS + 100 * WINDOW_MILLIS));
    assertThat(t.histograms().get(Metric.TTFT)).isEqualTo(merged.get(Metric.TTFT));
    assertThat(t.since()).isNotNull();
  }

  @Test
  void aFencedCommitAddsNothingToTheTotals() {
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 10)),
        List.of(delta(tenant, CLASS, 0, Map.of(Metric.TTFT, histogram(100_000)), requests(1))));
    checkpoints.claim(group, topic, List.of(0), 2);

    assertThatThrownBy(
            () ->
                checkpoints.commit(
                    group,
                    1,
                    List.of(checkpoint(0, 20)),
                    List.of(
                        delta(
                            tenant,
                            CLASS,
                            1,
                            Map.of(Metric.TTFT, histogram(200_000, 300_000)),
                            requests(2)))))
        .isInstanceOf(FencedException.class);

    ClassTotals t = only(totals.totals(TenantScope.only(List.of(tenant))));
    assertThat(t.histograms().get(Metric.TTFT).getTotalCount()).isEqualTo(1);
    assertThat(t.counters()).containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 1L));
  }

  @Test
  void aDeltaTheStoreRefusesAddsNothingToTheTotalsAndTheRestCounts() {
    checkpoints.claim(group, topic, List.of(0), 1);
    WindowDelta refused =
        delta(tenant, CLASS + "\u0000x", 0, Map.of(Metric.TTFT, histogram(100_000)), requests(5));
    WindowDelta taken =
        delta(tenant, CLASS, 0, Map.of(Metric.TTFT, histogram(200_000, 300_000)), requests(2));

    List<RefusedDelta> out =
        checkpoints.commit(group, 1, List.of(checkpoint(0, 10)), List.of(refused, taken));

    assertThat(out).extracting(RefusedDelta::key).containsExactly(refused.key());
    // the totals took exactly what the windows took
    ClassTotals t = only(totals.totals(TenantScope.only(List.of(tenant))));
    assertThat(t.trafficClass()).isEqualTo(CLASS);
    assertThat(t.histograms().get(Metric.TTFT)).isEqualTo(histogram(200_000, 300_000));
    assertThat(t.counters()).containsExactly(Map.entry(CounterKey.of(Counter.REQUESTS), 2L));
  }

  @Test
  void twoInstancesCommittingTheSameClassAddUp() {
    String otherGroupMember = group; // one group, two instances owning different partitions
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.claim(otherGroupMember, topic, List.of(1), 1);
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 5)),
        List.of(delta(tenant, CLASS, 0, Map.of(Metric.TTFT, histogram(100_000)), requests(1))));
    checkpoints.commit(
        otherGroupMember,
        1,
        List.of(checkpoint(1, 7)),
        List.of(
            delta(tenant, CLASS, 0, Map.of(Metric.TTFT, histogram(900_000, 5_000)), requests(2))));

    ClassTotals t = only(totals.totals(TenantScope.only(List.of(tenant))));
    assertThat(t.histograms().get(Metric.TTFT)).isEqualTo(histogram(100_000, 900_000, 5_000));
    assertThat(t.counters()).containsEntry(CounterKey.of(Counter.REQUESTS), 3L);
  }

  @Test
  void tenantsAndClassesStayApartAndTheScopeFilters() {
    String other = tenant + "-b";
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 5)),
        List.of(
            delta(tenant, CLASS, 0, Map.of(Metric.TTFT, histogram(1_000)), requests(1)),
            delta(tenant, OTHER_CLASS, 0, Map.of(Metric.TTFT, histogram(2_000)), requests(4)),
            delta(other, CLASS, 0, Map.of(Metric.TTFT, histogram(3_000)), requests(9))));

    List<ClassTotals> mine = totals.totals(TenantScope.only(List.of(tenant)));
    assertThat(mine)
        .extracting(ClassTotals::trafficClass)
        .containsExactly(OTHER_CLASS, CLASS); // ordered by tenant, then class
    assertThat(mine.get(0).counters()).containsEntry(CounterKey.of(Counter.REQUESTS), 4L);
    assertThat(mine.get(1).counters()).containsEntry(CounterKey.of(Counter.REQUESTS), 1L);

    List<ClassTotals> both = totals.totals(TenantScope.only(List.of(tenant, other)));
    assertThat(both).extracting(ClassTotals::tenant).containsExactly(tenant, tenant, other);
    assertThat(totals.totals(TenantScope.only(List.of())))
        .as("an empty scope sees nothing")
        .isEmpty();
    assertThat(totals.totals(TenantScope.ALL))
        .extracting(ClassTotals::tenant)
        .contains(tenant, other);
    assertThat(totals.tenants(TenantScope.only(List.of(tenant, other, "nobody"))))
        .containsExactly(tenant, other);
    assertThat(totals.tenants(TenantScope.ALL)).contains(tenant, other).doesNotHaveDuplicates();
    assertThat(totals.tenants(TenantScope.only(List.of()))).isEmpty();
  }

  @Test
  void deltasWithoutValuesCreateNoTotals() {
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.commit(group, 1, List.of(checkpoint(0, 5)), List.of());
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 6)),
        List.of(delta(tenant, CLASS, 0, Map.of(Metric.TTFT, new Histogram(2)), Map.of())));
    assertThat(totals.totals(TenantScope.only(List.of(tenant)))).isEmpty();
  }

  // --- helpers

  private static ClassTotals only(List<ClassTotals> list) {
    assertThat(list).hasSize(1);
    return list.get(0);
  }

  PartitionCheckpoint checkpoint(int partition, long next) {
    return new PartitionCheckpoint(topic, partition, 0, next, new byte[] {1});
  }

  static Map<CounterKey, Long> requests(long n) {
    return Map.of(CounterKey.of(Counter.REQUESTS), n);
  }

  static WindowDelta delta(
      String tenant,
      String cls,
      int window,
      Map<Metric, Histogram> histograms,
      Map<CounterKey, Long> counters) {
    return new WindowDelta(
        new WindowKey(tenant, cls, BASE_EPOCH_MILLIS + window * WINDOW_MILLIS),
        WINDOW_MILLIS,
        histograms,
        counters);
  }

  static Histogram histogram(long... micros) {
    Histogram h = new Histogram(2);
    for (long v : micros) {
      h.recordValue(v);
    }
    return h;
  }
}
