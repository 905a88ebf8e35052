package dev.tierscope.core.attribution;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Which tier made a class slow over a range, against a baseline (core/README.md, "Attribution"),
 * and how sure that is.
 *
 * @param trafficClass class
 * @param from range start (window starts), inclusive
 * @param to range end, exclusive
 * @param baselineFrom baseline start, inclusive
 * @param baselineTo baseline end, exclusive
 * @param verdict the found tier with the largest growth; {@link Verdict#NONE} when TTFT did not
 *     regress significantly or no tier's component grew significantly; {@link
 *     Verdict#INSUFFICIENT_DATA} when the range or the baseline has too few requests
 * @param confidence fraction of bootstrap replicates that reach the same verdict, 0 to 1 (0 for
 *     insufficient data: nothing was tested)
 * @param found every tier found, largest share first; empty unless the verdict is a tier
 * @param byTier per tier, the same numbers whether found or not (share 0 when not found; growth and
 *     z 0 when not tested)
 * @param shares per tier, its part of the found tiers' summed growth (0 for a tier not found); sums
 *     to 1, or all 0 when the verdict is not a tier
 * @param growthMicros per tier, mean component of a request in the range minus the mean in the
 *     baseline (microseconds, at least 0; 0 for a tier without enough data)
 * @param ttftP95BaselineMicros TTFT p95 of the baseline
 * @param ttftP95CurrentMicros TTFT p95 of the range
 * @param tiers per tier, its p95 in the baseline and now
 * @param requests requests in the range
 * @param baselineRequests requests in the baseline
 * @param tailRequests requests above the TTFT threshold in the range
 * @param evidence short sentences: TTFT, the found tiers' growth, then the sub-signals that moved
 */
public record Attribution(
    String trafficClass,
    Instant from,
    Instant to,
    Instant baselineFrom,
    Instant baselineTo,
    Verdict verdict,
    double confidence,
    List<TierFinding> found,
    Map<Tier, TierFinding> byTier,
    Map<Tier, Double> shares,
    Map<Tier, Long> growthMicros,
    long ttftP95BaselineMicros,
    long ttftP95CurrentMicros,
    Map<Tier, TierP95> tiers,
    long requests,
    long baselineRequests,
    long tailRequests,
    List<String> evidence) {

  public Attribution {
    found = List.copyOf(found);
    byTier = Map.copyOf(byTier);
    shares = Map.copyOf(shares);
    growthMicros = Map.copyOf(growthMicros);
    tiers = Map.copyOf(tiers);
    evidence = List.copyOf(evidence);
  }

  /** The dominant tier, or null when the verdict names none. */
  public Tier dominantTier() {
    return verdict.tier();
  }

  /**
   * @param baselineMicros p95 in the baseline, 0 without values
   * @param currentMicros p95 in the range, 0 without values
   */
  public record TierP95(long baselineMicros, long currentMicros) {}
}
