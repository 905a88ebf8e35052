package dev.tierscope.api.attribution;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.core.attribution.Attribution;
import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.attribution.TierFinding;
import java.time.Instant;
import java.util.List;

/**
 * JSON of {@code GET /api/v1/attribution} (api/README.md, "GET /api/v1/attribution").
 *
 * @param verdict the dominant tier ({@code edge}, {@code mesh}, {@code model}), {@code none} when
 *     TTFT did not regress significantly (or no tier's component did), or {@code insufficient_data}
 *     when the range or the baseline holds fewer than {@code minRequests} requests
 * @param confidence fraction of bootstrap replicates that reach the same verdict, 0 to 1 (0 for
 *     {@code insufficient_data})
 * @param tiersFound every tier whose component grew significantly, largest share first, with its
 *     share, the share's 95% interval and its confidence; empty unless the verdict is a tier
 * @param shares each tier's part of the found tiers' growth (0 for a tier not found; all 0 unless
 *     the verdict is a tier)
 * @param growthMs per tier, mean component of a request in the range minus the baseline's mean,
 *     milliseconds, at least 0
 * @param ttft TTFT p95 of the baseline and the range
 * @param tiers per tier, p95 of the baseline and the range, and the tier's test whether found or
 *     not: found, share, the share's 95% interval, confidence, mean growth and z
 * @param requests requests in the range
 * @param baselineRequests requests in the baseline
 * @param tailRequests requests in the range above the class's TTFT threshold
 * @param regressionMargin the configured margin on TTFT's mean growth
 * @param minRequests requests needed in the range and in the baseline
 * @param evidence short sentences naming what moved
 */
record AttributionResponse(
    String tenant,
    @JsonProperty("class") String trafficClass,
    Instant from,
    Instant to,
    Instant baselineFrom,
    Instant baselineTo,
    String verdict,
    double confidence,
    List<Found> tiersFound,
    Shares shares,
    Shares growthMs,
    P95 ttft,
    Tiers tiers,
    long requests,
    long baselineRequests,
    long tailRequests,
    double regressionMargin,
    long minRequests,
    List<String> evidence) {

  public record Shares(double edge, double mesh, double model) {}

  /** Milliseconds. */
  public record P95(double p95MsBaseline, double p95MsCurrent) {}

  public record Tiers(TierResult edge, TierResult mesh, TierResult model) {}

  /**
   * One tier: its p95 in the baseline and the range (milliseconds), and its test.
   *
   * @param found whether the tier is in {@code tiersFound}
   * @param share its part of the found tiers' growth (0 when not found)
   * @param shareLow lower end of the share's 95% bootstrap interval
   * @param shareHigh upper end of the share's 95% bootstrap interval
   * @param confidence fraction of bootstrap replicates that find this tier
   * @param growthMs mean growth of its component, milliseconds (0 when not tested)
   * @param z the growth over its standard error (0 when not tested)
   */
  public record TierResult(
      double p95MsBaseline,
      double p95MsCurrent,
      boolean found,
      double share,
      double shareLow,
      double shareHigh,
      double confidence,
      double growthMs,
      double z) {}

  /**
   * One tier found.
   *
   * @param tier {@code edge}, {@code mesh} or {@code model}
   * @param share its part of the found tiers' growth
   * @param shareLow lower end of the share's 95% bootstrap interval
   * @param shareHigh upper end of the share's 95% bootstrap interval
   * @param confidence fraction of bootstrap replicates that find this tier too
   * @param growthMs mean growth of its component, milliseconds
   * @param z the growth over its standard error (one-sided Welch)
   */
  public record Found(
      String tier,
      double share,
      double shareLow,
      double shareHigh,
      double confidence,
      double growthMs,
      double z) {}

  static AttributionResponse of(String tenant, Attribution a, AttributionProperties properties) {
    return new AttributionResponse(
        tenant,
        a.trafficClass(),
        a.from(),
        a.to(),
        a.baselineFrom(),
        a.baselineTo(),
        a.verdict().id(),
        round(a.confidence()),
        a.found().stream().map(AttributionResponse::found).toList(),
        new Shares(
            a.shares().get(Tier.EDGE), a.shares().get(Tier.MESH), a.shares().get(Tier.MODEL)),
        new Shares(
            a.growthMicros().get(Tier.EDGE) / 1000.0,
            a.growthMicros().get(Tier.MESH) / 1000.0,
            a.growthMicros().get(Tier.MODEL) / 1000.0),
        new P95(a.ttftP95BaselineMicros() / 1000.0, a.ttftP95CurrentMicros() / 1000.0),
        new Tiers(tier(a, Tier.EDGE), tier(a, Tier.MESH), tier(a, Tier.MODEL)),
        a.requests(),
        a.baselineRequests(),
        a.tailRequests(),
        properties.regressionMargin(),
        properties.minRequests(),
        a.evidence());
  }

  private static Found found(TierFinding f) {
    return new Found(
        f.tier().id(),
        f.share(),
        f.shareLow(),
        f.shareHigh(),
        round(f.confidence()),
        f.growthMicros() / 1000.0,
        Math.round(f.z() * 100) / 100.0);
  }

  /** Three decimals: a confidence is a fraction of a few hundred replicates. */
  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static TierResult tier(Attribution a, Tier t) {
    Attribution.TierP95 p = a.tiers().get(t);
    TierFinding f = a.byTier().get(t);
    return new TierResult(
        p.baselineMicros() / 1000.0,
        p.currentMicros() / 1000.0,
        f.found(),
        f.share(),
        f.shareLow(),
        f.shareHigh(),
        round(f.confidence()),
        f.growthMicros() / 1000.0,
        Math.round(f.z() * 100) / 100.0);
  }
}
