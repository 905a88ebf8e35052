package dev.tierscope.core.query;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A range cut into steps: the boundaries of a series, each point the merge of the windows starting
 * in its step. Inside the range the boundaries are the multiples of the step since the epoch
 * ({@code from}, then every multiple of the step after it and before {@code to}, then {@code to}),
 * so the first and the last step may be shorter.
 *
 * <p>Why aligned: a range's ends are wherever the caller's clock was (a dashboard's "now" is any
 * millisecond), and a step starting there would split every rollup row it touches. A 1 min step
 * starting at 10:00:30.123 could read no 1 min rollup, only raw windows: a 24 h series read 8,640
 * raw rows where 1,440 minutes suffice, and once the raw windows expire (2 days) each step would
 * lose the partial minutes at its edges. Aligned, every step but the first and last is whole rollup
 * rows of the step's resolution or a finer one.
 *
 * <p>Why a value of its own: every series endpoint needs the same decisions, made once here: which
 * step when none is asked for, that a step merges whole stored windows (a percentile over a step
 * comes from merged histograms, so a step cannot split a window), and how many points a query may
 * cost.
 *
 * <pre>{@code
 * StepPlan plan =
 *     StepPlan.checked(range, StepPlan.defaultStep(range.length()), Duration.ofSeconds(10), 5000);
 * List<Instant> boundaries = plan.boundaries();
 * }</pre>
 *
 * @param range the range cut into steps
 * @param step length of every step but possibly the last, positive
 */
public record StepPlan(TimeRange range, Duration step) {

  /** Steps {@link #defaultStep} picks from, the first with at most {@value #DEFAULT_POINTS}. */
  static final List<Duration> DEFAULT_STEPS =
      List.of(
          Duration.ofSeconds(10),
          Duration.ofMinutes(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(15),
          Duration.ofHours(1),
          Duration.ofHours(6),
          Duration.ofDays(1),
          Duration.ofDays(7));

  /** Points a series has at most with {@link #defaultStep} (unless even a week step is more). */
  static final int DEFAULT_POINTS = 300;

  public StepPlan {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(step, "step");
    if (step.isZero() || step.isNegative()) {
      throw new IllegalArgumentException("step must be positive, was " + step);
    }
  }

  /** One step over the whole range (a total). */
  public static StepPlan whole(TimeRange range) {
    return new StepPlan(range, range.length());
  }

  /**
   * A plan a query may run: {@code step} merges whole windows of {@code window} and the range has
   * at most {@code maxPoints} steps.
   *
   * @param window the stored (raw) window size
   * @param maxPoints most steps allowed
   * @throws IllegalArgumentException saying which rule the step breaks, in words for the caller
   */
  public static StepPlan checked(TimeRange range, Duration step, Duration window, int maxPoints) {
    StepPlan plan = new StepPlan(range, step);
    if (step.compareTo(window) < 0 || step.toMillis() % window.toMillis() != 0) {
      throw new IllegalArgumentException(
          "'step' must be a multiple of the "
              + ShortDuration.format(window)
              + " window so that every point merges whole windows, was "
              + ShortDuration.format(step));
    }
    if (plan.points() > maxPoints) {
      throw new IllegalArgumentException(
          "the range of "
              + ShortDuration.format(range.length().withNanos(0))
              + " at a step of "
              + ShortDuration.format(step)
              + " has "
              + plan.points()
              + " points, more than the "
              + maxPoints
              + " allowed; use a larger step or a shorter range");
    }
    return plan;
  }

  /**
   * The step of a series over a range of {@code length} when none is asked for: the first of 10 s,
   * 1 min, 5 min, 15 min, 1 h, 6 h, 1 d, 7 d giving at most 300 points.
   */
  public static Duration defaultStep(Duration length) {
    for (Duration d : DEFAULT_STEPS) {
      if (length.dividedBy(d) <= DEFAULT_POINTS) {
        return d;
      }
    }
    return DEFAULT_STEPS.get(DEFAULT_STEPS.size() - 1);
  }

  /** How many steps: one more than the multiples of the step strictly inside the range. */
  public long points() {
    long stepMillis = alignedStepMillis();
    if (stepMillis == 0) {
      Duration length = range.length();
      long whole = length.dividedBy(step);
      return step.multipliedBy(whole).equals(length) ? whole : whole + 1;
    }
    long first = firstInside(stepMillis);
    long end = endMillis();
    return first >= end ? 1 : (end - 1 - first) / stepMillis + 2;
  }

  /**
   * {@code from}, every multiple of the step since the epoch after it and before {@code to}, then
   * {@code to}: {@link #points()} + 1.
   */
  public List<Instant> boundaries() {
    List<Instant> b = new ArrayList<>();
    b.add(range.from());
    long stepMillis = alignedStepMillis();
    if (stepMillis == 0) {
      for (Instant t = range.from().plus(step); t.isBefore(range.to()); t = t.plus(step)) {
        b.add(t);
      }
    } else {
      long end = endMillis();
      for (long t = firstInside(stepMillis); t < end; t += stepMillis) {
        b.add(Instant.ofEpochMilli(t));
      }
    }
    b.add(range.to());
    return b;
  }

  /**
   * The step in milliseconds when boundaries align to it, 0 when they step from {@code from}: a
   * step not shorter than the range (one step, as {@link #whole}) or not whole milliseconds.
   */
  private long alignedStepMillis() {
    if (step.compareTo(range.length()) >= 0 || step.getNano() % 1_000_000 != 0) {
      return 0;
    }
    return step.toMillis();
  }

  /** The first multiple of the step after {@code from}. */
  private long firstInside(long stepMillis) {
    return Math.floorDiv(range.from().toEpochMilli(), stepMillis) * stepMillis + stepMillis;
  }

  /** The first millisecond not before {@code to}: multiples below it are before {@code to}. */
  private long endMillis() {
    Instant to = range.to();
    return to.toEpochMilli() + (to.getNano() % 1_000_000 == 0 ? 0 : 1);
  }
}
