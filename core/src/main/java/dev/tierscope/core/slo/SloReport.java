package dev.tierscope.core.slo;

import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.query.LatencyStats;
import java.time.Instant;
import java.util.Map;

/**
 * The four SLIs of one class over one range, against its objectives, plus the TTFT components.
 *
 * @param trafficClass class
 * @param from range start, inclusive (window starts)
 * @param to range end, exclusive
 * @param requests assembled requests in the range
 * @param ttft time to first token
 * @param streams stream interruption
 * @param toolchain tool-chain latency
 * @param retrieval retrieval fallback
 * @param edge edge component of TTFT
 * @param mesh mesh component of TTFT
 * @param model model component of TTFT
 * @param modelQueue model queue time
 * @param componentObjectives the TTFT components that have an objective (spec file), each against
 *     it; empty for most classes
 * @param classification how the range's requests got their class
 * @param events good and total events of each SLI, as its error budget counts them
 * @param admission what gateways reported doing with the range's requests (admission control)
 * @param continuity stream continuity: gaps between chunks, stalls, where and why streams broke
 */
public record SloReport(
    String trafficClass,
    Instant from,
    Instant to,
    long requests,
    LatencySli ttft,
    StreamSli streams,
    LatencySli toolchain,
    RetrievalSli retrieval,
    LatencyStats edge,
    LatencyStats mesh,
    LatencyStats model,
    LatencyStats modelQueue,
    Map<Indicator, LatencySli> componentObjectives,
    Classification classification,
    Map<Sli, EventCounts> events,
    Admission admission,
    Continuity continuity) {

  public SloReport {
    componentObjectives = Map.copyOf(componentObjectives);
    events = Map.copyOf(events);
  }

  /**
   * What gateways did with the requests under admission control ({@code tierscope.admission},
   * {@code tierscope.degradation}). Requests whose gateway reported nothing are in none of the
   * counts.
   *
   * @param admitted requests served (degraded or not)
   * @param deferred requests not started: the client was told to retry later
   * @param shed requests refused, or cancelled while queued or streaming
   * @param degradedByLevel requests served degraded, per level 1 to 3
   */
  public record Admission(
      long admitted, long deferred, long shed, Map<Integer, Long> degradedByLevel) {

    public Admission {
      degradedByLevel = Map.copyOf(degradedByLevel);
    }

    /** Requests served degraded, at any level. */
    public long degraded() {
      return degradedByLevel.values().stream().mapToLong(Long::longValue).sum();
    }

    /** {@code n} over {@code requests}, 0 without requests. */
    public static double rate(long n, long requests) {
      return requests == 0 ? 0 : (double) n / requests;
    }
  }

  /**
   * Stream continuity of the range's streams (SPAN-CONVENTIONS.md, "Streams").
   *
   * @param maxGap per stream that reported it, the largest gap between consecutive chunks
   *     (microseconds)
   * @param stallReports streams that reported their stalls
   * @param stalledStreams streams with at least one stall
   * @param stalls stalls summed over streams
   * @param interruptionsByCause interrupted streams per cause ({@code idle_timeout}, {@code
   *     upstream_reset}, {@code network}, {@code server_error}, {@code unknown}; only causes with
   *     interruptions): how many, and the time into the stream at which they broke (microseconds)
   * @param cancelled streams the user cancelled (not interruptions): how many (of those that were
   *     cut where a span ended) and the time into the stream
   */
  public record Continuity(
      LatencyStats maxGap,
      long stallReports,
      long stalledStreams,
      long stalls,
      Map<String, Cut> interruptionsByCause,
      Cut cancelled) {

    public Continuity {
      interruptionsByCause = Map.copyOf(interruptionsByCause);
    }

    /** Streams with a stall over the streams that reported stalls; 0 without any. */
    public double stalledRate() {
      return stallReports == 0 ? 0 : (double) stalledStreams / stallReports;
    }
  }

  /**
   * Streams that broke for one reason.
   *
   * @param count how many (the counter; the histogram may hold fewer when a cut was not measured)
   * @param timeIntoStream when into the stream they broke, microseconds
   */
  public record Cut(long count, LatencyStats timeIntoStream) {}

  /**
   * How requests were classified: by a class rule (per rule name), or not at all (the fallback
   * class). Requests whose spans named a class are the rest.
   *
   * @param byRule requests per class rule name
   * @param fallback requests no span and no rule classified, counted in the fallback class
   * @param unknownClass requests that carried a {@code tierscope.class} outside the set
   */
  public record Classification(Map<String, Long> byRule, long fallback, long unknownClass) {
    public Classification {
      byRule = Map.copyOf(byRule);
    }
  }

  /**
   * A latency SLI: percentiles, and the fraction at or under the threshold.
   *
   * @param stats percentiles in microseconds
   * @param failed failed events (tool chains with an error), 0 where not applicable
   * @param goodRatio fraction of values at or under the threshold (1 when there are none)
   * @param met goodRatio reaches the target
   */
  public record LatencySli(LatencyStats stats, long failed, double goodRatio, boolean met) {}

  /**
   * @param streams streamed requests
   * @param interrupted streams that broke after starting
   * @param cancelled streams the user stopped (not interruptions)
   * @param rate interrupted / streams (0 without streams)
   * @param met rate stays within the class's maximum
   */
  public record StreamSli(
      long streams, long interrupted, long cancelled, double rate, boolean met) {}

  /**
   * @param retrievals retrieval calls
   * @param misses retrievals without usable context
   * @param fallbacks misses served by a fallback path
   * @param ratio fallbacks / retrievals (0 without retrievals)
   * @param missToFallback fallbacks / misses (0 without misses)
   * @param met ratio stays within the class's maximum
   */
  public record RetrievalSli(
      long retrievals,
      long misses,
      long fallbacks,
      double ratio,
      double missToFallback,
      boolean met) {}
}
