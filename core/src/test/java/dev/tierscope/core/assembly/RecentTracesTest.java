package dev.tierscope.core.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.TraceId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The O(1) sets of the assembler behave as plain Java sets do, through growth and removal. */
class RecentTracesTest {

  record Entry(TraceId id, long end) {}

  @Test
  void agreesWithAReferenceQueueAndSetThroughAddsEvictionsAndGrowth() throws IOException {
    SplittableRandom r = new SplittableRandom(3);
    RecentTraces recent = new RecentTraces();
    ArrayDeque<Entry> order = new ArrayDeque<>();
    Set<TraceId> set = new HashSet<>();
    long clock = 0;
    for (int step = 0; step < 200_000; step++) {
      // Few distinct high halves and small low halves: collisions and clustering on purpose.
      TraceId id = new TraceId(r.nextInt(4), 1 + r.nextInt(5_000));
      if (r.nextInt(10) < 7) {
        clock += r.nextInt(3);
        if (set.add(id)) {
          order.add(new Entry(id, clock));
        }
        recent.add(id, clock);
      } else {
        long before = clock - r.nextInt(500);
        int max = 50 + r.nextInt(3_000);
        recent.evict(before, max);
        while (!order.isEmpty() && (order.size() > max || order.peek().end() < before)) {
          set.remove(order.poll().id());
        }
      }
      TraceId probe = new TraceId(r.nextInt(4), 1 + r.nextInt(5_000));
      assertThat(recent.contains(probe)).as("step %d", step).isEqualTo(set.contains(probe));
      assertThat(recent.size()).isEqualTo(set.size());
    }
    // And through a snapshot: the same entries, in the same order.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      recent.write(out);
    }
    RecentTraces read = new RecentTraces();
    read.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(read.size()).isEqualTo(set.size());
    for (TraceId id : set) {
      assertThat(read.contains(id)).isTrue();
    }
    read.evict(Long.MAX_VALUE, order.size() - 1);
    assertThat(read.contains(order.peek().id())).isFalse();
  }

  @Test
  void spanIdSetsAgreeWithAReferenceSet() {
    SplittableRandom r = new SplittableRandom(11);
    for (int round = 0; round < 200; round++) {
      SpanIdSet ids = new SpanIdSet();
      Set<Long> reference = new HashSet<>();
      for (int i = 0; i < 2_000; i++) {
        long id = r.nextBoolean() ? 1 + r.nextInt(3_000) : r.nextLong() | 1;
        assertThat(ids.add(id)).isEqualTo(reference.add(id));
        long probe = 1 + r.nextInt(3_000);
        assertThat(ids.contains(probe)).isEqualTo(reference.contains(probe));
      }
      assertThat(ids.size()).isEqualTo(reference.size());
      assertThat(java.util.Arrays.stream(ids.toArray()).boxed().toList())
          .containsExactlyInAnyOrderElementsOf(reference);
    }
  }
}
