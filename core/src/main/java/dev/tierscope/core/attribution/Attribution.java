package dev.tierscope.core.attribution;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Which tier made a class slow over a range, against a baseline (DESIGN.md section 3).
 *
 * @param trafficClass class
 * @param from range start (window starts), inclusive
 * @param to range end, exclusive
 * @param baselineFrom baseline start, inclusive
 * @param baselineTo baseline end, exclusive
 * @param verdict the tier with the largest share, or null when TTFT p95 did not regress beyond the
 *     margin (the API says {@code none})
 * @param shares per tier, its part of the growth of tail requests' components over the baseline
 *     mean; sums to 1, or all 0 when no component grew
 * @param growthMicros per tier, mean component of a tail request now minus the mean component of a
 *     request in the baseline (microseconds, at least 0)
 * @param ttftP95BaselineMicros TTFT p95 of the baseline
 * @param ttftP95CurrentMicros TTFT p95 of the range
 * @param tiers per tier, its p95 in the baseline and now
 * @param requests requests in the range
 * @param tailRequests requests above the TTFT threshold in the range
 * @param evidence short sentences: TTFT and tier p95s, then the sub-signals that moved
 */
public record Attribution(
    String trafficClass,
    Instant from,
    Instant to,
    Instant baselineFrom,
    Instant baselineTo,
    Tier verdict,
    Map<Tier, Double> shares,
    Map<Tier, Long> growthMicros,
    long ttftP95BaselineMicros,
    long ttftP95CurrentMicros,
    Map<Tier, TierP95> tiers,
    long requests,
    long tailRequests,
    List<String> evidence) {

  /**
   * @param baselineMicros p95 in the baseline, 0 without values
   * @param currentMicros p95 in the range, 0 without values
   */
  public record TierP95(long baselineMicros, long currentMicros) {}
}
