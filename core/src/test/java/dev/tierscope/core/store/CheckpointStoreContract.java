package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CheckpointStore} must show: claims and fencing by store-issued claim
 * epochs (robust to Kafka's generation numbers restarting lower: released rows, leases, a static
 * member's own rows), checkpoints that come back byte for byte, and commits that write all or
 * nothing (windows included, read back through the same store's {@link WindowReader}). The cases
 * about generations use the store as the members of successive generations would ({@link
 * GenerationMembers}); the ones about epochs, owners, leases and releases use it directly.
 */
public abstract class CheckpointStoreContract extends StoreContract {

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
}
