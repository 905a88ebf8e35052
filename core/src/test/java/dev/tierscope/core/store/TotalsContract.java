package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link TotalsReader} behind a {@link CheckpointStore} must show: the totals
 * of a class are exactly the merge of every delta committed for it, whichever window, generation or
 * instance committed it; a refused commit adds nothing, nor does a delta the store refuses; tenants
 * and classes stay apart; a tenant scope filters.
 *
 * <p>Implementations may share one database between cases: every case uses its own tenants. {@link
 * StoreContract} says how the suites run.
 */
public abstract class TotalsContract extends StoreContract {

  protected static final String OTHER_CLASS = "deferred_batch";

  /**
   * The totals of the store {@link #newStores} returned for the same case (called right after it).
   */
  protected abstract TotalsReader newTotals();

  protected TotalsReader totals;

  @BeforeEach
  void setUpTotals() {
    totals = newTotals();
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
        reader.merged(
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

  protected PartitionCheckpoint checkpoint(int partition, long next) {
    return new PartitionCheckpoint(topic, partition, 0, next, new byte[] {1});
  }

  protected static Map<CounterKey, Long> requests(long n) {
    return Map.of(CounterKey.of(Counter.REQUESTS), n);
  }

  protected static WindowDelta delta(
      String tenant,
      String cls,
      int window,
      Map<Metric, Histogram> histograms,
      Map<CounterKey, Long> counters) {
    return delta(
        new WindowKey(tenant, cls, BASE_EPOCH_MILLIS + window * WINDOW_MILLIS),
        histograms,
        counters);
  }
}
