package dev.tierscope.api.exemplar;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * JSON of {@code GET /api/v1/exemplars}.
 *
 * @param limit most exemplars asked for
 * @param thresholdMs the class's TTFT threshold, milliseconds
 * @param exemplars slowest first
 */
public record ExemplarResponse(
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
   */
  public record Exemplar(
      String traceId, double ttftMs, boolean overThreshold, Instant windowStart) {}
}
