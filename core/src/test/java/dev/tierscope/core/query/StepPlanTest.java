package dev.tierscope.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Steps of a series: boundaries, points, the default step, whole windows and the point cap. */
class StepPlanTest {

  private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");
  private static final Duration WINDOW = Duration.ofSeconds(10);

  private static TimeRange range(Duration length) {
    return new TimeRange(T, T.plus(length));
  }

  @Test
  void boundariesStepFromTheStartAndCutTheLastStepAtTheEnd() {
    StepPlan plan = new StepPlan(range(Duration.ofSeconds(150)), Duration.ofMinutes(1));

    assertThat(plan.boundaries())
        .containsExactly(T, T.plusSeconds(60), T.plusSeconds(120), T.plusSeconds(150));
    assertThat(plan.points()).isEqualTo(3);
    assertThat(new StepPlan(range(Duration.ofMinutes(2)), Duration.ofMinutes(1)).points())
        .isEqualTo(2);
  }

  @Test
  void boundariesInsideTheRangeAreMultiplesOfTheStepSoThatRollupRowsFitWhole() {
    Instant from = Instant.parse("2026-11-20T10:00:30.123Z");
    Instant to = Instant.parse("2026-11-20T10:03:10.000000500Z");
    StepPlan plan = new StepPlan(new TimeRange(from, to), Duration.ofMinutes(1));

    assertThat(plan.boundaries())
        .containsExactly(
            from,
            Instant.parse("2026-11-20T10:01:00Z"),
            Instant.parse("2026-11-20T10:02:00Z"),
            Instant.parse("2026-11-20T10:03:00Z"),
            to);
    assertThat(plan.points()).isEqualTo(4);

    // An end on a multiple is not a boundary twice; a range inside one step is one point.
    StepPlan toAligned =
        new StepPlan(
            new TimeRange(from, Instant.parse("2026-11-20T10:03:00Z")), Duration.ofMinutes(1));
    assertThat(toAligned.boundaries()).hasSize(4).doesNotHaveDuplicates();
    assertThat(toAligned.points()).isEqualTo(3);
    StepPlan inside =
        new StepPlan(
            new TimeRange(from, Instant.parse("2026-11-20T10:00:50Z")), Duration.ofSeconds(30));
    assertThat(inside.boundaries()).containsExactly(from, Instant.parse("2026-11-20T10:00:50Z"));
    assertThat(inside.points()).isEqualTo(1);
    // A day at 1 min steps from any millisecond: 1,441 points, all but two of them whole minutes.
    Instant end = Instant.parse("2026-11-27T11:52:17.456Z");
    StepPlan day =
        new StepPlan(new TimeRange(end.minus(Duration.ofDays(1)), end), Duration.ofMinutes(1));
    List<Instant> b = day.boundaries();
    assertThat(day.points()).isEqualTo(b.size() - 1).isEqualTo(1441);
    assertThat(b.subList(1, b.size() - 1))
        .allMatch(t -> t.getEpochSecond() % 60 == 0 && t.getNano() == 0);
  }

  @Test
  void wholePlanIsOneStep() {
    StepPlan plan = StepPlan.whole(range(Duration.ofMinutes(7)));

    assertThat(plan.points()).isEqualTo(1);
    assertThat(plan.boundaries()).containsExactly(T, T.plus(Duration.ofMinutes(7)));
  }

  @Test
  void rejectsStepThatIsNotPositive() {
    assertThatThrownBy(() -> new StepPlan(range(Duration.ofHours(1)), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("step must be positive, was PT0S");
    assertThatThrownBy(() -> new StepPlan(range(Duration.ofHours(1)), Duration.ofSeconds(-10)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultStepIsTheFirstGivingAtMostThreeHundredPoints() {
    assertThat(StepPlan.defaultStep(Duration.ofMinutes(50))).isEqualTo(Duration.ofSeconds(10));
    assertThat(StepPlan.defaultStep(Duration.ofMinutes(51))).isEqualTo(Duration.ofMinutes(1));
    assertThat(StepPlan.defaultStep(Duration.ofDays(1))).isEqualTo(Duration.ofMinutes(5));
    assertThat(StepPlan.defaultStep(Duration.ofDays(30))).isEqualTo(Duration.ofHours(6));
    assertThat(StepPlan.defaultStep(Duration.ofDays(365 * 100))).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void checkedStepMergesWholeWindows() {
    assertThat(StepPlan.checked(range(Duration.ofHours(1)), Duration.ofSeconds(30), WINDOW, 5000))
        .isEqualTo(new StepPlan(range(Duration.ofHours(1)), Duration.ofSeconds(30)));
    assertThatThrownBy(
            () ->
                StepPlan.checked(range(Duration.ofHours(1)), Duration.ofSeconds(15), WINDOW, 5000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'step' must be a multiple of the 10s window so that every point merges whole"
                + " windows, was 15s");
    assertThatThrownBy(
            () -> StepPlan.checked(range(Duration.ofHours(1)), Duration.ofSeconds(5), WINDOW, 5000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiple of the 10s window");
  }

  @Test
  void checkedPlanHasAtMostTheAllowedPoints() {
    assertThat(StepPlan.checked(range(Duration.ofSeconds(50_000)), WINDOW, WINDOW, 5000).points())
        .isEqualTo(5000);
    assertThatThrownBy(
            () -> StepPlan.checked(range(Duration.ofSeconds(50_001)), WINDOW, WINDOW, 5000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the range of 50001s at a step of 10s has 5001 points, more than the 5000 allowed;"
                + " use a larger step or a shorter range");
  }

  @Test
  void pointsOfRangesOfCenturiesDoNotOverflow() {
    TimeRange centuries = new TimeRange(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"));

    assertThat(StepPlan.whole(centuries).points()).isEqualTo(1);
    assertThatThrownBy(() -> StepPlan.checked(centuries, WINDOW, WINDOW, 5000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than the 5000 allowed");
  }
}
