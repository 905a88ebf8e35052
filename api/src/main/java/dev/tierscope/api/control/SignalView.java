package dev.tierscope.api.control;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.core.control.ClassReading;
import dev.tierscope.core.control.ControlSignal;
import dev.tierscope.core.control.Evidence;
import java.time.Instant;
import java.util.List;

/**
 * A control signal as JSON: an entry of {@code GET /api/v1/control}, an event of its stream and the
 * value of a {@code tierscope.control.v1} record are this same object (contract).
 *
 * @param tenant tenant
 * @param trafficClass class
 * @param action {@code admit}, {@code degrade}, {@code defer} or {@code shed}
 * @param degradationLevel 1 to 3 with {@code degrade}, else 0
 * @param since when the class got this action and level
 * @param evaluatedAt when the leader last confirmed it
 * @param expiresAt after this, without a newer signal, admit (fail open)
 * @param reasons sentences for people
 * @param evidence what it was derived from
 */
public record SignalView(
    String tenant,
    @JsonProperty("class") String trafficClass,
    String action,
    int degradationLevel,
    Instant since,
    Instant evaluatedAt,
    Instant expiresAt,
    List<String> reasons,
    EvidenceView evidence) {

  /**
   * @param rung steps of the tenant's ladder in effect
   * @param rungs steps of the ladder in all
   * @param triggerClass the class whose distress raised the ladder, empty at rung 0
   * @param cause tier that made it slow ({@code edge}, {@code mesh}, {@code model}), null at rung 0
   * @param window the fast window read (request start times)
   * @param trigger the trigger class's reading, null at rung 0
   * @param own this class's reading, null without requests in the window
   * @param requestsPerSecond the tenant's request rate over the load window
   * @param baselineRequestsPerSecond its rate before the first step, 0 at rung 0
   */
  public record EvidenceView(
      int rung,
      int rungs,
      String triggerClass,
      String cause,
      Window window,
      Reading trigger,
      Reading own,
      double requestsPerSecond,
      double baselineRequestsPerSecond) {}

  /** A range of window starts, {@code [from, to)}. */
  public record Window(Instant from, Instant to) {}

  /**
   * A class's reading over the fast window.
   *
   * @param requests requests (refused ones included)
   * @param ttftCount requests with a time to first token
   * @param ttftP95Ms TTFT p95, milliseconds
   * @param thresholdMs the class's TTFT threshold, milliseconds
   * @param burnRate fraction over the threshold divided by the error budget
   * @param peakBurnRate the highest burn rate of one raw window of the fast window (with enough
   *     requests of its own)
   * @param queueShare the model queue's share of the slow requests' TTFT, 0 to 1
   * @param peakQueueShare the same in the window of {@code peakBurnRate}
   * @param verdict the attribution verdict when one was computed, else null
   */
  public record Reading(
      @JsonProperty("class") String trafficClass,
      long requests,
      long ttftCount,
      double ttftP95Ms,
      double thresholdMs,
      double burnRate,
      double peakBurnRate,
      double queueShare,
      double peakQueueShare,
      String verdict) {

    static Reading of(ClassReading r) {
      return r == null
          ? null
          : new Reading(
              r.trafficClass(),
              r.requests(),
              r.ttftCount(),
              r.ttftP95Micros() / 1000.0,
              r.thresholdMicros() / 1000.0,
              r.burnRate(),
              r.peakBurnRate(),
              r.queueShare(),
              r.peakQueueShare(),
              r.verdict() == null ? null : r.verdict().id());
    }
  }

  static SignalView of(ControlSignal s) {
    Evidence e = s.evidence();
    return new SignalView(
        s.tenant(),
        s.trafficClass(),
        s.action().id(),
        s.degradationLevel(),
        s.since(),
        s.evaluatedAt(),
        s.expiresAt(),
        s.reasons(),
        new EvidenceView(
            e.rung(),
            e.rungs(),
            e.triggerClass(),
            e.cause() == null ? null : e.cause().id(),
            new Window(e.windowFrom(), e.windowTo()),
            Reading.of(e.trigger()),
            Reading.of(e.own()),
            e.requestsPerSecond(),
            e.baselineRequestsPerSecond()));
  }
}
