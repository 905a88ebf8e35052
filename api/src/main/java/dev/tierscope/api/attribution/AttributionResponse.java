package dev.tierscope.api.attribution;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.core.attribution.Attribution;
import dev.tierscope.core.attribution.Tier;
import java.time.Instant;
import java.util.List;

/**
 * JSON of {@code GET /api/v1/attribution} (DESIGN.md section 3).
 *
 * @param verdict {@code edge}, {@code mesh}, {@code model}, or {@code none} when TTFT p95 did not
 *     regress beyond the margin
 * @param shares each tier's part of the growth of tail requests' components over the baseline
 * @param growthMs per tier, mean component of a tail request now minus the mean of a baseline
 *     request, milliseconds
 * @param ttft TTFT p95 of the baseline and the range
 * @param tiers per tier, p95 of the baseline and the range
 * @param requests requests in the range
 * @param tailRequests requests in the range above the class's TTFT threshold
 * @param evidence short sentences naming what moved
 */
public record AttributionResponse(
    String tenant,
    @JsonProperty("class") String trafficClass,
    Instant from,
    Instant to,
    Instant baselineFrom,
    Instant baselineTo,
    String verdict,
    Shares shares,
    Shares growthMs,
    P95 ttft,
    Tiers tiers,
    long requests,
    long tailRequests,
    double regressionMargin,
    List<String> evidence) {

  public record Shares(double edge, double mesh, double model) {}

  /** Milliseconds. */
  public record P95(double p95MsBaseline, double p95MsCurrent) {}

  public record Tiers(P95 edge, P95 mesh, P95 model) {}

  static AttributionResponse of(String tenant, Attribution a, double margin) {
    return new AttributionResponse(
        tenant,
        a.trafficClass(),
        a.from(),
        a.to(),
        a.baselineFrom(),
        a.baselineTo(),
        a.verdict() == null ? "none" : a.verdict().id(),
        new Shares(
            a.shares().get(Tier.EDGE), a.shares().get(Tier.MESH), a.shares().get(Tier.MODEL)),
        new Shares(
            a.growthMicros().get(Tier.EDGE) / 1000.0,
            a.growthMicros().get(Tier.MESH) / 1000.0,
            a.growthMicros().get(Tier.MODEL) / 1000.0),
        new P95(a.ttftP95BaselineMicros() / 1000.0, a.ttftP95CurrentMicros() / 1000.0),
        new Tiers(p95(a, Tier.EDGE), p95(a, Tier.MESH), p95(a, Tier.MODEL)),
        a.requests(),
        a.tailRequests(),
        margin,
        a.evidence());
  }

  private static P95 p95(Attribution a, Tier t) {
    Attribution.TierP95 p = a.tiers().get(t);
    return new P95(p.baselineMicros() / 1000.0, p.currentMicros() / 1000.0);
  }
}
