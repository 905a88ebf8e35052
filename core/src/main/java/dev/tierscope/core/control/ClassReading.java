package dev.tierscope.core.control;

import dev.tierscope.core.attribution.Tier;

/**
 * What the policy knows about one class over the fast window: the inputs of a decision, and the
 * evidence a signal shows.
 *
 * @param trafficClass class
 * @param requests requests in the fast window (completed; shed and deferred ones included)
 * @param ttftCount requests with a time to first token in the fast window
 * @param ttftP95Micros TTFT p95 over the fast window, microseconds (0 without values)
 * @param thresholdMicros the class's TTFT threshold, microseconds
 * @param burnRate fraction of TTFT values over the threshold divided by the error budget (1 -
 *     target): 1 spends the budget exactly as fast as allowed
 * @param peakBurnRate the highest burn rate of a single raw window of the fast window with at least
 *     the minimum requests of its own (0 when none has): the freshest evidence, which a model queue
 *     is acted on (a queue building up shows in the latest windows before it moves the whole fast
 *     window)
 * @param queueShare the model queue's share of the slow requests' TTFT, 0 to 1 (of all requests'
 *     when too few are slow)
 * @param peakQueueShare the same in the window of {@code peakBurnRate} (0 when none)
 * @param verdict the attribution verdict of the fast window against the baseline before it: the
 *     tier that made the class slow, or null when none (or not computed: the class was not in
 *     distress, or its queue share already named the model tier)
 */
public record ClassReading(
    String trafficClass,
    long requests,
    long ttftCount,
    long ttftP95Micros,
    long thresholdMicros,
    double burnRate,
    double peakBurnRate,
    double queueShare,
    double peakQueueShare,
    Tier verdict) {

  public ClassReading {
    if (requests < 0 || ttftCount < 0 || ttftP95Micros < 0 || thresholdMicros < 0) {
      throw new IllegalArgumentException("counts and latencies must be >= 0");
    }
    if (!(burnRate >= 0)
        || !(peakBurnRate >= 0)
        || !(queueShare >= 0 && queueShare <= 1)
        || !(peakQueueShare >= 0 && peakQueueShare <= 1)) {
      throw new IllegalArgumentException(
          "burn rate >= 0 and queue share in [0, 1] required, were "
              + burnRate
              + ", "
              + queueShare);
    }
  }

  /** A class without requests in the window. */
  public static ClassReading empty(String trafficClass, long thresholdMicros) {
    return new ClassReading(trafficClass, 0, 0, 0, thresholdMicros, 0, 0, 0, 0, null);
  }

  /** This reading with the attribution verdict set. */
  public ClassReading withVerdict(Tier tier) {
    return new ClassReading(
        trafficClass,
        requests,
        ttftCount,
        ttftP95Micros,
        thresholdMicros,
        burnRate,
        peakBurnRate,
        queueShare,
        peakQueueShare,
        tier);
  }
}
