package dev.tierscope.api.exemplar;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.core.attribution.RequestAttribution;
import dev.tierscope.core.store.StoredExemplar;
import java.time.Instant;
import java.util.List;

/**
 * JSON of {@code GET /api/v1/exemplars}.
 *
 * @param limit most exemplars asked for
 * @param thresholdMs the class's TTFT threshold, milliseconds
 * @param exemplars slowest first
 */
record ExemplarResponse(
    String tenant,
    @JsonProperty("class") String trafficClass,
    Instant from,
    Instant to,
    int limit,
    double thresholdMs,
    List<Exemplar> exemplars) {

  /**
   * One of the slowest requests of the range.
   *
   * @param traceId the request's trace id (32 hex characters), to look the trace up
   * @param ttftMs its time to first token, milliseconds
   * @param overThreshold whether that is above the class's TTFT threshold (an SLO-violating
   *     request)
   * @param windowStart start of the window it was recorded in
   * @param dominantTier the tier whose component is the most unusual against the baseline ({@code
   *     edge}, {@code mesh}, {@code model}); null when the request's breakdown is unknown
   * @param component the part of that tier: {@code network}, {@code retransmits}, {@code
   *     protocol_fallback}; {@code retrieval}, {@code tool}, {@code policy}, {@code internal},
   *     {@code gateway}; {@code queue}, {@code prefill}; empty when unknown
   * @param tierPercentile share of the baseline's values of that tier at or below this request's (0
   *     to 100; 0 without a baseline)
   * @param edgeMs its edge component, milliseconds; null when unknown
   * @param meshMs its mesh component, milliseconds; null when unknown
   * @param modelMs its model component (queue and prefill), milliseconds; null when unknown
   * @param queueMs its model queue time, milliseconds; null when unknown
   * @param clientPath the client's path ({@code direct}, {@code vpn}, ...), empty when unknown
   */
  public record Exemplar(
      String traceId,
      double ttftMs,
      boolean overThreshold,
      Instant windowStart,
      String dominantTier,
      String component,
      double tierPercentile,
      Double edgeMs,
      Double meshMs,
      Double modelMs,
      Double queueMs,
      String clientPath) {

    static Exemplar of(StoredExemplar e, long thresholdMicros, RequestAttribution a) {
      dev.tierscope.core.window.Exemplar x = e.exemplar();
      dev.tierscope.core.window.Exemplar.Breakdown b = x.breakdown();
      return new Exemplar(
          x.traceId(),
          x.ttftMicros() / 1000.0,
          x.ttftMicros() > thresholdMicros,
          e.windowStart(),
          a.tier() == null ? null : a.tier().id(),
          a.component(),
          a.percentile(),
          ms(b.edgeMicros()),
          ms(b.meshMicros()),
          ms(b.modelMicros()),
          ms(b.queueMicros()),
          b.clientPath());
    }

    private static Double ms(long micros) {
      return micros < 0 ? null : micros / 1000.0;
    }
  }
}
