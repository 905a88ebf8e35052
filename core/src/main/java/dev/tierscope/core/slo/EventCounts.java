package dev.tierscope.core.slo;

/**
 * Good and total events of one SLI over a range: every objective is a good/total ratio, so error
 * budgets and burn rates work alike for all SLIs.
 *
 * @param good events that met the objective
 * @param total all events; 0 when nothing happened
 */
public record EventCounts(long good, long total) {

  public static final EventCounts NONE = new EventCounts(0, 0);

  public EventCounts {
    if (total < 0 || good < 0 || good > total) {
      throw new IllegalArgumentException("need 0 <= good <= total, was " + good + "/" + total);
    }
  }

  public long bad() {
    return total - good;
  }

  /** good / total; 1 without events (no request, no bad request). */
  public double goodRatio() {
    return total == 0 ? 1.0 : (double) good / total;
  }

  /** bad / total; 0 without events. */
  public double badRatio() {
    return total == 0 ? 0.0 : (double) bad() / total;
  }

  public EventCounts plus(EventCounts o) {
    return new EventCounts(good + o.good, total + o.total);
  }
}
