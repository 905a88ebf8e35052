package dev.tierscope.core.window;

import dev.tierscope.core.span.SpanLimits;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Caps the distinct values one dimension (tenant, workflow, client path, and any later one) takes
 * per event-time window and scope; a value beyond the cap is folded into {@link #OVERFLOW}, so a
 * flood of distinct values costs one more row, not one per value. Like the OpenTelemetry
 * Collector's cardinality limits, the totals stay right: nothing is dropped, only the excess loses
 * its name, and {@link #folded()} counts how often that happened.
 *
 * <p>Which values keep their name, per window and scope:
 *
 * <ul>
 *   <li>a value protected by its caller ({@code neverFold}, e.g. a tenant bound to an authenticated
 *       caller) always, without taking a place;
 *   <li>a value the previous window of the same scope admitted, up to {@code maxValues} of them:
 *       the values that were there before a flood keep their name through it;
 *   <li>new values, in the order they come, up to {@code maxValues}.
 * </ul>
 *
 * So a window holds at most {@code 2 * maxValues} names besides the protected ones. Admissions are
 * remembered for the {@value #WINDOWS_KEPT} most recent windows this instance recorded into; a
 * value recorded into an older window is capped on its own. The cap is per instance (per consumer
 * loop): instances do not share what they admitted.
 *
 * <p>Reuse for a new dimension: one instance per dimension, {@link #admit} on every recording with
 * the scope the dimension lives in ({@code ""}, a tenant, a tenant and class), {@link
 * #forgetBefore} is called by {@link #admit} itself. Not thread-safe.
 *
 * <pre>{@code
 * CappedDimension workflows = new CappedDimension("workflow", 100, 10_000);
 * String workflow = workflows.admit(windowStart, tenant, summary.workflow(), false);
 * add(window, Counter.INPUT_TOKENS, workflow, summary.inputTokens()); // "__overflow__" past 100
 * }</pre>
 */
public final class CappedDimension {

  /** The value excess values are folded into. */
  public static final String OVERFLOW = SpanLimits.OVERFLOW;

  /** Windows whose admissions are remembered (the current, the previous and one for stragglers). */
  public static final int WINDOWS_KEPT = 3;

  private static final class Admitted {
    final Set<String> values = new HashSet<>();
    int carried;
    int fresh;
  }

  private final String name;
  private final int maxValues;
  private final long windowMillis;
  private final TreeMap<Long, Map<String, Admitted>> windows = new TreeMap<>();
  private long folded;

  /**
   * @param name the dimension, for metrics and messages
   * @param maxValues names kept per window and scope (plus as many carried over); at least 1
   * @param windowMillis the window size in milliseconds, to find the previous window
   */
  public CappedDimension(String name, int maxValues, long windowMillis) {
    if (maxValues < 1) {
      throw new IllegalArgumentException(name + ": maxValues must be >= 1, was " + maxValues);
    }
    if (windowMillis < 1) {
      throw new IllegalArgumentException("windowMillis must be >= 1, was " + windowMillis);
    }
    this.name = name;
    this.maxValues = maxValues;
    this.windowMillis = windowMillis;
  }

  /**
   * The value to record under: {@code value} itself, or {@link #OVERFLOW} when the window's scope
   * already holds its share of other names.
   *
   * @param windowStartMillis the window, epoch milliseconds
   * @param scope what the cap is counted within ({@code ""} for the whole window)
   * @param value the value reported
   * @param neverFold the caller vouches for the value (an authenticated tenant): never folded
   */
  public String admit(long windowStartMillis, String scope, String value, boolean neverFold) {
    Map<String, Admitted> window = windows.get(windowStartMillis);
    if (window == null) {
      window = new HashMap<>();
      windows.put(windowStartMillis, window);
      if (windows.size() > WINDOWS_KEPT) {
        forgetBefore(windows.lastKey() - (WINDOWS_KEPT - 1) * windowMillis);
      }
    }
    Admitted a = window.computeIfAbsent(scope, s -> new Admitted());
    if (a.values.contains(value)) {
      return value;
    }
    if (neverFold) {
      a.values.add(value);
      return value;
    }
    if (a.carried < maxValues && admittedBefore(windowStartMillis, scope, value)) {
      a.carried++;
      a.values.add(value);
      return value;
    }
    if (a.fresh < maxValues) {
      a.fresh++;
      a.values.add(value);
      return value;
    }
    folded++;
    return OVERFLOW;
  }

  private boolean admittedBefore(long windowStartMillis, String scope, String value) {
    Map<String, Admitted> previous = windows.get(windowStartMillis - windowMillis);
    if (previous == null) {
      return false;
    }
    Admitted a = previous.get(scope);
    return a != null && a.values.contains(value);
  }

  /** Forgets what windows starting before {@code windowStartMillis} admitted. */
  public void forgetBefore(long windowStartMillis) {
    Iterator<Long> it = windows.keySet().iterator();
    while (it.hasNext() && it.next() < windowStartMillis) {
      it.remove();
    }
  }

  /** Recordings folded into {@link #OVERFLOW} since creation. */
  public long folded() {
    return folded;
  }

  /** Names kept per window and scope, besides the carried-over and protected ones. */
  public int maxValues() {
    return maxValues;
  }

  /** The dimension's name. */
  public String name() {
    return name;
  }

  /** Values remembered over all kept windows and scopes (for tests and gauges). */
  public int remembered() {
    int n = 0;
    for (Map<String, Admitted> w : windows.values()) {
      for (Admitted a : w.values()) {
        n += a.values.size();
      }
    }
    return n;
  }
}
