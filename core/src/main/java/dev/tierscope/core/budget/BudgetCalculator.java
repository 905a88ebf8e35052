package dev.tierscope.core.budget;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.slo.EventCounts;
import dev.tierscope.core.slo.Sli;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * Error budgets and multi-window multi-burn-rate alerts (SRE workbook, chapter 5) for every SLI of
 * a class, from one read of the stored windows.
 *
 * <p>Why one read: all windows end at the same instant, so they nest. The reader is asked for the
 * disjoint slices between consecutive window starts ({@code at - 30d, at - 3d, ..., at - 5m, at}),
 * which it answers from rollups where they fit; good and total events are additive, so each window
 * is a sum of slices.
 *
 * <pre>{@code
 * BudgetCalculator budgets = new BudgetCalculator(reader, Duration.ofDays(30), AlertRule.WORKBOOK);
 * Map<Sli, BudgetReport> all = budgets.evaluate("default", cls, clock.instant());
 * }</pre>
 */
public final class BudgetCalculator {

  /** The burn-rate windows reported, shortest first. */
  public static final List<Duration> BURN_WINDOWS =
      List.of(
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(1),
          Duration.ofHours(2),
          Duration.ofHours(6),
          Duration.ofDays(1),
          Duration.ofDays(3));

  private final WindowReader reader;
  private final Duration period;
  private final List<AlertRule> rules;

  /**
   * @param period the SLO period (30 days by default), rolling
   * @param rules the default alert pairs; their windows must be shorter than the period
   */
  public BudgetCalculator(WindowReader reader, Duration period, List<AlertRule> rules) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    checkRules(rules, period);
    this.reader = reader;
    this.period = period;
    this.rules = List.copyOf(rules);
  }

  private static void checkRules(List<AlertRule> rules, Duration period) {
    for (AlertRule r : rules) {
      if (r.longWindow().compareTo(period) >= 0) {
        throw new IllegalArgumentException(
            "alert window " + r.longWindow() + " must be shorter than the period " + period);
      }
    }
  }

  /** The default alert pairs. */
  public List<AlertRule> rules() {
    return rules;
  }

  /**
   * The windows a report of {@code rules} gives burn rates for: {@link #BURN_WINDOWS} and theirs.
   */
  public static List<Duration> burnWindows(List<AlertRule> rules) {
    TreeSet<Duration> windows = new TreeSet<>(BURN_WINDOWS);
    for (AlertRule r : rules) {
      windows.add(r.longWindow());
      windows.add(r.shortWindow());
    }
    return List.copyOf(windows);
  }

  /** The default period, of objectives without a time window of their own. */
  public Duration period() {
    return period;
  }

  /** The period of one SLI of a class: its objective's time window, else the default. */
  public Duration period(TrafficClass cls, Sli sli) {
    Duration own = cls.timeWindow(sli.indicator());
    return own != null ? own : period;
  }

  /** Budgets of every SLI of the class, evaluated at {@code at} with the default alert pairs. */
  public Map<Sli, BudgetReport> evaluate(String tenant, TrafficClass cls, Instant at) {
    return evaluate(tenant, cls, at, rules);
  }

  /**
   * Budgets of every SLI of the class, evaluated at {@code at} with the given alert pairs (a
   * class's own, or windows shortened for a test); burn rates are reported for {@link
   * #BURN_WINDOWS} and every window of {@code rules}.
   */
  public Map<Sli, BudgetReport> evaluate(
      String tenant, TrafficClass cls, Instant at, List<AlertRule> rules) {
    List<Duration> burnWindows = burnWindows(rules);
    TreeSet<Duration> windows = new TreeSet<>(burnWindows);
    for (Sli sli : Sli.values()) {
      windows.add(period(cls, sli));
    }
    // Boundaries at - longest, ..., at - shortest, at.
    List<Duration> descending = new ArrayList<>(windows.descendingSet());
    List<Instant> boundaries = new ArrayList<>();
    for (Duration d : descending) {
      boundaries.add(at.minus(d));
    }
    boundaries.add(at);
    List<Map<Metric, Histogram>> h =
        reader.mergedPerInterval(tenant, cls.name(), Sli.METRICS, boundaries);
    List<Map<CounterKey, Long>> c =
        reader.countersPerInterval(tenant, cls.name(), Sli.COUNTERS, boundaries);

    Map<Sli, BudgetReport> out = new EnumMap<>(Sli.class);
    for (Sli sli : Sli.values()) {
      // events of slice i, then of window d = slices from the one starting at at - d on
      EventCounts[] slice = new EventCounts[descending.size()];
      for (int i = 0; i < slice.length; i++) {
        slice[i] = sli.events(h.get(i), c.get(i), cls.objectives());
      }
      Map<Duration, EventCounts> byWindow = new LinkedHashMap<>();
      EventCounts sum = EventCounts.NONE;
      for (int i = slice.length - 1; i >= 0; i--) {
        sum = sum.plus(slice[i]);
        byWindow.put(descending.get(i), sum);
      }
      double target = sli.target(cls.objectives());
      Map<Duration, Double> burn = new LinkedHashMap<>();
      for (Duration d : burnWindows) {
        burn.put(d, burnRate(byWindow.get(d), target));
      }
      List<BudgetReport.Alert> alerts = new ArrayList<>();
      for (AlertRule r : rules) {
        double longRate = burn.get(r.longWindow());
        double shortRate = burn.get(r.shortWindow());
        alerts.add(
            new BudgetReport.Alert(
                r, longRate, shortRate, longRate > r.threshold() && shortRate > r.threshold()));
      }
      Duration sliPeriod = period(cls, sli);
      EventCounts overPeriod = byWindow.get(sliPeriod);
      out.put(
          sli,
          new BudgetReport(
              cls.name(),
              sli,
              at,
              sliPeriod,
              target,
              overPeriod,
              1.0 - burnRate(overPeriod, target),
              burn,
              alerts));
    }
    return out;
  }

  /** bad ratio / allowed bad ratio; 0 without events. */
  static double burnRate(EventCounts e, double target) {
    if (e.bad() == 0) {
      return 0.0;
    }
    double allowed = 1.0 - target;
    return allowed <= 0 ? Double.POSITIVE_INFINITY : e.badRatio() / allowed;
  }
}
