package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.assembly.RequestAssembler;
import dev.tierscope.core.span.SpanLimits;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.core.store.Claimant;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.RefusedDelta;
import dev.tierscope.core.window.WindowAggregator;
import dev.tierscope.core.window.WindowCaps;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import dev.tierscope.wire.v1.StreamOutcome;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of what the aggregator does with a record before and after it enters a partition's
 * state, without Kafka: the record check (decoding, span rules, time bounds, class), assembly with
 * its stream-time ceiling and caps, the windows, snapshots and their restore, and the reference
 * store's commit. Records are SpanEvents another producer could write: valid ones, ones with
 * hostile values in every field (NUL and 70 000-char tenants, control characters, unpaired
 * surrogates, extreme integers and timestamps), and corrupted bytes.
 *
 * <p>Whatever comes: nothing throws, every accepted span is within core's limits, and the store
 * refuses nothing the loop hands it (the in-memory store refuses what PostgreSQL refuses: a NUL in
 * a key, a sum beyond {@code bigint}), so no record can make a checkpoint fail.
 *
 * <p>Bounded by {@code -Dtierscope.fuzz.seconds} (default 15 here) and {@code
 * -Dtierscope.fuzz.iterations} (default 200 000), never below 20 000 records however long they
 * take; {@code -Dtierscope.fuzz.seed} replays a run.
 */
class RecordFuzzTest {

  static final long SECONDS = Long.getLong("tierscope.fuzz.seconds", 15);
  static final long ITERATIONS = Long.getLong("tierscope.fuzz.iterations", 200_000);

  /** Enough seeded records to fill the windows' caps; at least this many run whatever the time. */
  static final long MIN_ITERATIONS = 20_000;

  static final long SEED = Long.getLong("tierscope.fuzz.seed", 20_261_130);

  static final long NOW_MILLIS = 1_764_000_000_000L;
  static final long NOW = NOW_MILLIS * 1_000_000;

  @Test
  void noRecordBreaksTheLoopsStateOrItsCheckpoint() {
    AssemblyConfig config =
        new AssemblyConfig(
                Duration.ofSeconds(5),
                Duration.ofMinutes(10),
                Duration.ofMinutes(2),
                500,
                "standard_interactive")
            .withTraceCaps(50, 20_000);
    RecordCheck check =
        new RecordCheck(
            SpanTimeBounds.DEFAULTS,
            Set.of("interactive_premium", "standard_interactive", "deferred_batch"));
    RequestAssembler assembler = new RequestAssembler(config);
    WindowAggregator windows =
        new WindowAggregator(10_000, 2, c -> 800_000, new WindowCaps(5, 2, 2));
    InMemoryWindowStore store = new InMemoryWindowStore();
    long epoch =
        store
            .claim(
                "fuzz",
                "spans",
                List.of(0),
                new Claimant("fuzz", 1, LoopSettings.DEFAULT_CLAIM_LEASE))
            .get(0)
            .epoch();

    SplittableRandom random = new SplittableRandom(SEED);
    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(SECONDS).toNanos();
    long iterations = 0;
    long accepted = 0;
    long checkpoints = 0;
    java.util.Map<String, Long> rejected = new java.util.TreeMap<>();
    // The time bound never cuts a run below MIN_ITERATIONS: the seeded records reach the caps
    // (folding) only after several thousand, and a slow machine must not turn that into a failure.
    long minIterations = Math.min(ITERATIONS, MIN_ITERATIONS);
    while (iterations < ITERATIONS
        && (iterations < minIterations || System.nanoTime() < deadline)) {
      long seed = random.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      byte[] value = mutate(r, event(r).toByteArray());
      long wall = NOW_MILLIS + iterations / 50;
      try {
        RecordCheck.Checked c = check.check(value, r.nextInt(20) == 0 ? -1 : wall, wall);
        if (c.isAccepted()) {
          accepted++;
          var s = c.span();
          assertThat(SpanLimits.isValidTenant(s.tenant())).isTrue();
          assertThat(SpanLimits.isUnsafe(s.workflow() + s.service() + s.model())).isFalse();
          assembler.limitStreamTime(wall * 1_000);
          assembler.add(s, value.length);
          assertThat(assembler.streamTimeMicros()).isLessThanOrEqualTo(wall * 1_000);
        } else {
          rejected.merge(c.reason(), 1L, Long::sum);
        }
        if (iterations % 500 == 0) {
          assembler.advanceStreamTime(wall * 1_000);
          assembler.drainCompleted(windows::record);
          byte[] snapshot = assembler.snapshot();
          assertThat(assembler.takeUnstorable()).isEmpty();
          List<RefusedDelta> refused =
              store.commit(
                  "fuzz",
                  1,
                  List.of(new PartitionCheckpoint("spans", 0, epoch, iterations, snapshot)),
                  windows.drain());
          assertThat(refused).isEmpty();
          RequestAssembler restored = new RequestAssembler(config);
          restored.limitStreamTime(wall * 1_000);
          restored.restore(snapshot, wall * 1_000 + 300_000_000L);
          assertThat(restored.snapshot()).isEqualTo(snapshot);
          assembler = restored;
          checkpoints++;
        }
      } catch (RuntimeException | Error e) {
        throw new AssertionError("seed " + seed + " threw " + e, e);
      }
      iterations++;
    }
    System.out.printf(
        Locale.ROOT,
        "RecordFuzzTest: %,d records in %.1f s (seed %d): %,d accepted, set aside %s, %,d"
            + " checkpoints, folded %s%n",
        iterations,
        (System.nanoTime() - started) / 1e9,
        SEED,
        accepted,
        rejected,
        checkpoints,
        windows.folded());
    assertThat(iterations).isGreaterThanOrEqualTo(minIterations);
    assertThat(accepted).isPositive();
    assertThat(rejected).containsKeys("undecodable", "invalid", "too_far_in_future", "too_old");
    assertThat(windows.folded().values()).anySatisfy(n -> assertThat(n).isPositive());
  }

  private static SpanEvent event(SplittableRandom r) {
    // Mostly within the last minute (a few windows, so the caps are reached), some within the hour.
    long start =
        NOW - (r.nextBoolean() ? r.nextLong(60_000_000_000L) : r.nextLong(3_600_000_000_000L));
    SpanEvent.Builder e =
        SpanEvent.newBuilder()
            .setTraceId(bytes(r, 16, r.nextInt(30)))
            .setSpanId(bytes(r, 8, 0))
            .setTenant(r.nextInt(3) == 0 ? hostile(r) : "t-" + r.nextInt(40))
            .setService(r.nextInt(4) == 0 ? hostile(r) : "svc")
            .setRole(
                Role.forNumber(r.nextInt(8)) == null
                    ? Role.ROLE_UNSPECIFIED
                    : Role.forNumber(r.nextInt(8)))
            .setKind(SpanKind.forNumber(r.nextInt(6)))
            .setTrafficClass(
                switch (r.nextInt(4)) {
                  case 0 -> "interactive_premium";
                  case 1 -> hostile(r);
                  default -> "";
                })
            .setWorkflow(r.nextInt(3) == 0 ? hostile(r) : "wf-" + r.nextInt(10))
            .setStartEpochNanos(start)
            .setEndEpochNanos(start + r.nextLong(5_000_000_000L))
            .setStreamed(r.nextBoolean())
            .setStreamOutcome(StreamOutcome.forNumber(r.nextInt(4)))
            .setRetrievalHit(r.nextBoolean())
            .setToolName(r.nextInt(5) == 0 ? hostile(r) : "")
            .setInputTokens(r.nextInt(10) == 0 ? extreme(r) : r.nextInt(1000))
            .setOutputTokens(r.nextInt(10) == 0 ? extreme(r) : r.nextInt(1000))
            .setModel(r.nextInt(5) == 0 ? hostile(r) : "m")
            .setClientPath(r.nextInt(3) == 0 ? hostile(r) : "vpn")
            .setRetransmits((int) extreme(r))
            .setOperation(r.nextBoolean() ? "chat" : hostile(r))
            .setTenantAuthenticated(r.nextInt(10) == 0);
    if (r.nextBoolean()) {
      e.setParentSpanId(bytes(r, 8, 0));
    }
    if (r.nextBoolean()) {
      e.setFirstTokenEpochNanos(
          r.nextInt(5) == 0 ? extreme(r) : start + r.nextLong(1_000_000_000L));
    }
    if (r.nextBoolean()) {
      e.setModelQueueMicros(extreme(r));
    }
    if (r.nextInt(5) == 0) {
      long t =
          switch (r.nextInt(4)) {
            case 0 -> NOW + 2 * 86_400_000_000_000L;
            case 1 -> NOW - 3 * 86_400_000_000_000L;
            case 2 -> Long.MAX_VALUE;
            default -> 1;
          };
      e.setStartEpochNanos(t).setEndEpochNanos(t + (r.nextBoolean() ? 1 : -1));
    }
    for (int n = r.nextInt(3); n > 0; n--) {
      e.putRuleAttributes(hostile(r), hostile(r));
    }
    return e.build();
  }

  private static ByteString bytes(SplittableRandom r, int size, int distinct) {
    byte[] b = new byte[r.nextInt(20) == 0 ? r.nextInt(20) : size];
    for (int i = 0; i < b.length; i++) {
      b[i] = distinct > 0 && i < b.length - 1 ? 0 : (byte) r.nextInt(256);
    }
    if (distinct > 0 && b.length > 0) {
      b[b.length - 1] = (byte) (1 + distinct);
    }
    return ByteString.copyFrom(b);
  }

  private static long extreme(SplittableRandom r) {
    long[] v = {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, SpanLimits.MAX_TOKENS + 1, 1L << 62};
    return v[r.nextInt(v.length)];
  }

  private static String hostile(SplittableRandom r) {
    return switch (r.nextInt(7)) {
      case 0 -> "t".repeat(1 + r.nextInt(70_000));
      case 1 -> "a\u0000b";
      case 2 -> "\u001b[2J\r\n";
      case 3 -> "\uD800x";
      case 4 -> "größe-😀";
      case 5 -> SpanLimits.OVERFLOW;
      default -> "";
    };
  }

  private static byte[] mutate(SplittableRandom r, byte[] bytes) {
    switch (r.nextInt(8)) {
      case 0 -> {
        byte[] b = bytes.clone();
        for (int n = 1 + r.nextInt(3); n > 0 && b.length > 0; n--) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
      }
      case 1 -> {
        return Arrays.copyOf(bytes, bytes.length == 0 ? 0 : r.nextInt(bytes.length));
      }
      case 2 -> {
        byte[] b = new byte[r.nextInt(100)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) r.nextInt(256);
        }
        return b;
      }
      default -> {
        return bytes;
      }
    }
  }
}
