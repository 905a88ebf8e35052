package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the snapshot codec, which a partition's owner reads back from its checkpoint
 * row: random assembly states round-trip exactly, and mutated snapshots (flipped bits, cut tails,
 * counts made huge, random bytes) are either read or refused with an {@link
 * IllegalArgumentException}, never anything else and never by exhausting the heap; whatever was
 * read assembles, completes and snapshots again.
 *
 * <p>Bounded by {@code -Dtierscope.fuzz.seconds} (default 10 here) and {@code
 * -Dtierscope.fuzz.iterations} (default 20 000), never below {@link #MIN_ITERATIONS} snapshots
 * however long they take: on a loaded machine the time bound alone cut runs short of the floor the
 * test asserts, which made it fail on load rather than on a defect. {@code -Dtierscope.fuzz.seed}
 * replays a run.
 */
class AssemblySnapshotFuzzTest {

  static final long SECONDS = Long.getLong("tierscope.fuzz.seconds", 10);
  static final long ITERATIONS = Long.getLong("tierscope.fuzz.iterations", 20_000);
  static final long SEED = Long.getLong("tierscope.fuzz.seed", 20_261_130);
  static final long MIN_ITERATIONS = 1_000;

  static final AssemblyConfig CONFIG =
      new AssemblyConfig(
          Duration.ofSeconds(5),
          Duration.ofMinutes(10),
          Duration.ofMinutes(2),
          200,
          "standard_interactive");

  /** Half the states are built with early completion on (their requests carry awaited parents). */
  static final AssemblyConfig EARLY = CONFIG.withEarlyCompletion(Duration.ofSeconds(1));

  @Test
  void snapshotsRoundTripAndCorruptOnesAreRefusedCleanly() {
    SplittableRandom random = new SplittableRandom(SEED);
    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(SECONDS).toNanos();
    long iterations = 0;
    long read = 0;
    long refused = 0;
    long minIterations = Math.min(ITERATIONS, MIN_ITERATIONS);
    while (iterations < ITERATIONS
        && (iterations < minIterations || System.nanoTime() < deadline)) {
      long seed = random.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      AssemblyConfig config = r.nextBoolean() ? CONFIG : EARLY;
      RequestAssembler a = state(r, config);
      byte[] snapshot = a.snapshot();

      // Unchanged: read back to the same state, which snapshots to the same bytes.
      RequestAssembler same = new RequestAssembler(config);
      same.restore(snapshot);
      assertThat(same.snapshot()).as("seed %d", seed).isEqualTo(snapshot);
      assertThat(same.inFlight()).isEqualTo(a.inFlight());
      assertThat(same.recentlyCompleted()).isEqualTo(a.recentlyCompleted());

      byte[] mutated = mutate(r, snapshot);
      RequestAssembler b = new RequestAssembler(config);
      try {
        b.restore(mutated, Long.MAX_VALUE);
        read++;
      } catch (IllegalArgumentException e) {
        refused++;
        iterations++;
        continue;
      } catch (RuntimeException | Error e) {
        throw new AssertionError("seed " + seed + ": restore threw " + e, e);
      }
      // What was read is usable: it takes spans, completes, records and snapshots.
      try {
        b.limitStreamTime(T0 + 3_600_000_000L);
        for (int i = 0; i < 5; i++) {
          b.add(span(r), r.nextInt(500));
        }
        b.advanceStreamTime(T0 + 3_600_000_000L);
        WindowAggregator windows = new WindowAggregator(10_000, 2);
        b.drainCompleted(windows::record);
        windows.drain();
        b.snapshot();
      } catch (RuntimeException | Error e) {
        throw new AssertionError("seed " + seed + ": a restored state failed: " + e, e);
      }
      iterations++;
    }
    System.out.printf(
        Locale.ROOT,
        "AssemblySnapshotFuzzTest: %,d snapshots in %.1f s (seed %d): %,d mutations read, %,d"
            + " refused%n",
        iterations,
        (System.nanoTime() - started) / 1e9,
        SEED,
        read,
        refused);
    assertThat(iterations).isGreaterThanOrEqualTo(minIterations);
    assertThat(read).isPositive();
    assertThat(refused).isPositive();
  }

  /** A partition's state after a random stream: open, evicted and recently completed requests. */
  private static RequestAssembler state(SplittableRandom r, AssemblyConfig config) {
    RequestAssembler a = new RequestAssembler(config);
    int spans = r.nextInt(60);
    for (int i = 0; i < spans; i++) {
      a.add(span(r), r.nextInt(400));
      if (r.nextInt(10) == 0) {
        a.advanceStreamTime(T0 + r.nextLong(30_000_000L));
        a.drainCompleted(s -> {});
      }
    }
    return a;
  }

  private static Span span(SplittableRandom r) {
    long start = T0 + r.nextLong(20_000_000L);
    Span.Builder b =
        Span.builder()
            .traceId(new TraceId(1 + r.nextInt(3), 1 + r.nextInt(20)))
            .spanId(1 + r.nextInt(10))
            .parentSpanId(r.nextBoolean() ? 0 : 1 + r.nextInt(10))
            .tenant(r.nextBoolean() ? "acme" : "t-" + r.nextInt(5))
            .tenantAuthenticated(r.nextBoolean())
            .kind(SpanKind.values()[r.nextInt(SpanKind.values().length)])
            .role(r.nextBoolean() ? null : SpanRole.values()[r.nextInt(SpanRole.values().length)])
            .operation(r.nextBoolean() ? "chat" : "")
            .trafficClass(r.nextBoolean() ? "interactive_premium" : "")
            .workflow(r.nextBoolean() ? "rag-über" : "")
            .startEpochNanos(start * 1_000)
            .endEpochNanos((start + r.nextLong(5_000_000L)) * 1_000)
            .streamed(r.nextBoolean())
            .streamOutcome(
                r.nextBoolean()
                    ? null
                    : StreamOutcome.values()[r.nextInt(StreamOutcome.values().length)])
            .retrievalHit(r.nextBoolean())
            .inputTokens(r.nextInt(1000))
            .clientPath(r.nextBoolean() ? "vpn" : "")
            .retransmits(r.nextInt(5));
    if (r.nextBoolean()) {
      b.firstTokenEpochNanos((start + r.nextLong(1_000_000L)) * 1_000);
    }
    if (r.nextBoolean()) {
      b.modelQueueMicros(r.nextLong(100_000));
    }
    return b.build();
  }

  private static byte[] mutate(SplittableRandom r, byte[] bytes) {
    byte[] b = bytes.clone();
    switch (r.nextInt(5)) {
      case 0 -> {
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
      }
      case 1 -> {
        return Arrays.copyOf(b, r.nextInt(b.length));
      }
      case 2 -> {
        // A count or a length made huge or negative (every int-aligned spot is a candidate).
        int at = 1 + r.nextInt(Math.max(1, b.length - 4));
        int v = r.nextBoolean() ? Integer.MAX_VALUE : -1 - r.nextInt(1000);
        b[at] = (byte) (v >>> 24);
        b[at + 1 < b.length ? at + 1 : at] = (byte) (v >>> 16);
        return b;
      }
      case 3 -> {
        byte[] random = new byte[r.nextInt(300)];
        for (int i = 0; i < random.length; i++) {
          random[i] = (byte) r.nextInt(256);
        }
        if (random.length > 0) {
          random[0] = AssemblySnapshotCodec.VERSION;
        }
        return random;
      }
      default -> {
        return b;
      }
    }
  }
}
