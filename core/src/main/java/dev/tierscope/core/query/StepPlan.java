package dev.tierscope.core.query;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A range cut into steps: the boundaries {@code from, from + step, ..., to} of a series, each point
 * the merge of the windows starting in its step (the last step may be shorter).
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

  /** How many steps: the length divided by the step, rounded up. */
  public long points() {
    Duration length = range.length();
    long whole = length.dividedBy(step);
    return step.multipliedBy(whole).equals(length) ? whole : whole + 1;
  }

  /** {@code from, from + step, ...} before {@code to}, then {@code to}: {@link #points()} + 1. */
  public List<Instant> boundaries() {
    List<Instant> b = new ArrayList<>();
    for (Instant t = range.from(); t.isBefore(range.to()); t = t.plus(step)) {
      b.add(t);
    }
    b.add(range.to());
    return b;
  }
}
