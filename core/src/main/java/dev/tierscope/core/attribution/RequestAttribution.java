package dev.tierscope.core.attribution;

import dev.tierscope.core.window.Exemplar;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The dominant tier of one request and the component within it, so that an engineer opening a slow
 * request's trace knows where to look.
 *
 * <p>Rule: the tier whose component is the most unusual against the class's baseline, i.e. lies
 * above the largest share of the baseline's values of that tier; ties (typically a component above
 * every baseline value) go to the larger excess over the baseline median. Without baseline values
 * for a tier its rank is 0 and its excess is the component itself, so without any baseline the
 * largest component wins. Why not simply the largest component: prefill of a long prompt or a long
 * tool chain is the largest part of many requests, slow or not; what makes this request slow is the
 * part that is larger than usual, and a fault that adds the same delay to every request makes its
 * tier the most unusual one even where another component is naturally larger.
 *
 * <p>The component: for the edge, {@code protocol_fallback} when the transport fell back, else
 * {@code retransmits} when packets were retransmitted, else {@code network} (the path itself); for
 * the mesh, the role with the most span time ({@code retrieval}, {@code tool}, {@code policy},
 * {@code internal}, or {@code gateway} without any); for the model, {@code queue} when the queue
 * took at least half of the model time, else {@code prefill}.
 *
 * @param tier the dominant tier, null when no component is known
 * @param component the part of that tier, empty when no tier
 * @param percentile share of the baseline's values of that tier at or below this request's, 0 to
 *     100 (0 without a baseline)
 * @param excessMicros the tier's component minus the baseline median, microseconds
 */
public record RequestAttribution(
    Tier tier, String component, double percentile, long excessMicros) {

  /** No component known. */
  public static final RequestAttribution UNKNOWN = new RequestAttribution(null, "", 0, 0);

  /**
   * @param baseline per tier, the class's component values in the baseline (microseconds); a tier
   *     absent or empty has no baseline
   */
  public static RequestAttribution of(Exemplar.Breakdown b, Map<Tier, Histogram> baseline) {
    Tier best = null;
    double bestRank = -1;
    long bestExcess = Long.MIN_VALUE;
    for (Tier t : Tier.values()) {
      long v = component(b, t);
      if (v < 0) {
        continue;
      }
      Histogram h = baseline.get(t);
      boolean known = h != null && h.getTotalCount() > 0;
      double rank = known ? Math.floor(h.getPercentileAtOrBelowValue(v) * 10) / 10 : 0;
      long excess = v - (known ? h.getValueAtPercentile(50) : 0);
      if (rank > bestRank || (rank == bestRank && excess > bestExcess)) {
        best = t;
        bestRank = rank;
        bestExcess = excess;
      }
    }
    if (best == null) {
      return UNKNOWN;
    }
    return new RequestAttribution(best, part(b, best), bestRank, bestExcess);
  }

  static long component(Exemplar.Breakdown b, Tier t) {
    return switch (t) {
      case EDGE -> b.edgeMicros();
      case MESH -> b.meshMicros();
      case MODEL -> b.modelMicros();
    };
  }

  private static String part(Exemplar.Breakdown b, Tier t) {
    return switch (t) {
      case EDGE ->
          b.protocolFallback()
              ? "protocol_fallback"
              : b.retransmits() > 0 ? "retransmits" : "network";
      case MESH -> b.meshRole().isEmpty() || b.meshRole().equals("none") ? "gateway" : b.meshRole();
      case MODEL ->
          b.queueMicros() >= 0 && 2 * b.queueMicros() >= b.modelMicros() ? "queue" : "prefill";
    };
  }
}
