package dev.tierscope.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.store.ResolutionPlan.Segment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Which stored resolution answers which part of a query. */
class ResolutionPlanTest {

  private static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");

  private static long s(Instant t) {
    return t.getEpochSecond();
  }

  @Test
  void withoutRollupsEverythingIsReadRaw() {
    List<Segment> plan = ResolutionPlan.plan(10, Map.of(), List.of(T0, T0.plusSeconds(3600)));
    assertThat(plan).containsExactly(new Segment(0, 10, s(T0), s(T0) + 3600));
  }

  @Test
  void dayReadsHoursThenMinutesThenRawUpToWhatIsComplete() {
    Instant from = T0.plusSeconds(25); // inside the first window
    Instant to = T0.plus(Duration.ofDays(1));
    Map<Integer, Instant> complete =
        Map.of(60, to.minus(Duration.ofMinutes(3)), 3600, to.minus(Duration.ofHours(1)));

    List<Segment> plan = ResolutionPlan.plan(10, complete, List.of(from, to));

    long t0 = s(T0);
    assertThat(plan)
        .containsExactly(
            new Segment(0, 10, t0 + 30, t0 + 60),
            new Segment(0, 60, t0 + 60, t0 + 3600),
            new Segment(0, 3600, t0 + 3600, t0 + 23 * 3600),
            new Segment(0, 60, t0 + 23 * 3600, t0 + 86_400 - 180),
            new Segment(0, 10, t0 + 86_400 - 180, t0 + 86_400));
  }

  @Test
  void rollupWindowStartingBeforeAnUnalignedCompleteBeforeIsComplete() {
    Map<Integer, Instant> complete = Map.of(60, T0.plusSeconds(150)); // windows 0, 60, 120
    List<Segment> plan = ResolutionPlan.plan(10, complete, List.of(T0, T0.plusSeconds(600)));
    assertThat(plan)
        .containsExactly(
            new Segment(0, 60, s(T0), s(T0) + 180), new Segment(0, 10, s(T0) + 180, s(T0) + 600));
  }

  @Test
  void rollupsThatAreNotMultiplesOfTheRawWindowAreIgnored() {
    List<Segment> plan =
        ResolutionPlan.plan(10, Map.of(15, T0.plusSeconds(3600)), List.of(T0, T0.plusSeconds(60)));
    assertThat(plan).containsExactly(new Segment(0, 10, s(T0), s(T0) + 60));
  }

  @Test
  void emptyIntervalsAndDecreasingBoundaries() {
    assertThat(ResolutionPlan.plan(10, Map.of(), List.of(T0, T0))).isEmpty();
    assertThat(ResolutionPlan.plan(10, Map.of(), List.of(T0.plusSeconds(1), T0.plusSeconds(9))))
        .as("no window starts in (0 s, 9 s]")
        .isEmpty();
    assertThatThrownBy(() -> ResolutionPlan.plan(10, Map.of(), List.of(T0.plusSeconds(1), T0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResolutionPlan.plan(10, Map.of(), List.of(T0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * For random boundaries and progress, every raw window is read exactly once, in the interval its
   * start belongs to, and every rollup segment is aligned, complete and inside its interval.
   */
  @Test
  void everyRawWindowIsCoveredExactlyOnceInItsInterval() {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 300; round++) {
      List<Instant> b = new ArrayList<>();
      Instant t = T0.plusMillis(random.nextLong(7_200_000));
      b.add(t);
      int n = 1 + random.nextInt(6);
      for (int i = 0; i < n; i++) {
        t = t.plusMillis(random.nextLong(4 * 3_600_000L));
        b.add(t);
      }
      Map<Integer, Instant> complete = new HashMap<>();
      if (random.nextBoolean()) {
        complete.put(60, T0.plusSeconds(random.nextLong(30 * 3600)));
      }
      if (random.nextBoolean()) {
        complete.put(3600, T0.plusSeconds(random.nextLong(30 * 3600)));
      }
      List<Segment> plan = ResolutionPlan.plan(10, complete, b);

      for (Segment seg : plan) {
        int r = seg.resolutionSeconds();
        assertThat(seg.fromEpochSeconds() % r).isZero();
        assertThat(seg.toEpochSeconds() % r).isZero();
        assertThat(seg.fromEpochSeconds()).isLessThan(seg.toEpochSeconds());
        if (r > 10) {
          long lastStart = seg.toEpochSeconds() - r;
          assertThat(Instant.ofEpochSecond(lastStart)).isBefore(complete.get(r));
        }
      }
      long first = Math.floorDiv(s(b.get(0)), 10) * 10 - 10;
      long last = s(b.get(b.size() - 1)) + 10;
      for (long w = first; w <= last; w += 10) {
        int expected = ResolutionPlan.intervalOf(b, w * 1000);
        int covering = 0;
        for (Segment seg : plan) {
          if (w >= seg.fromEpochSeconds() && w < seg.toEpochSeconds()) {
            covering++;
            assertThat(seg.interval()).as("interval of window " + w).isEqualTo(expected);
          }
        }
        assertThat(covering).as("segments covering window " + w).isEqualTo(expected < 0 ? 0 : 1);
      }
    }
  }
}
