package dev.tierscope.api.slo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.query.LatencyStats;
import dev.tierscope.core.slo.Sli;
import dev.tierscope.core.slo.SloReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * JSON of {@code GET /api/v1/slo}: milliseconds, camelCase.
 *
 * @param breakdown the dimension asked for with {@code breakdown=} or {@code filter=}, absent
 *     otherwise
 * @param entries with a breakdown, one per value of the dimension that has requests in the range
 *     (only the filtered value with a filter), sorted by value; absent otherwise
 */
record SloResponse(
    String tenant,
    @JsonProperty("class") String trafficClass,
    Instant from,
    Instant to,
    long requests,
    Slis slis,
    Components components,
    Classification classification,
    Admission admission,
    Streams streams,
    @JsonInclude(JsonInclude.Include.NON_NULL) String breakdown,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<Entry> entries) {

  /**
   * Stream continuity of the range's streams (docs/span-conventions.md, "Streams").
   *
   * @param streams streamed requests
   * @param maxGap per stream that reported it, the largest gap between consecutive chunks
   * @param stalls gaps above the stall threshold
   * @param interruptions interrupted streams per cause ({@code idle_timeout}, {@code
   *     upstream_reset}, {@code network}, {@code server_error}, {@code unknown}), each with the
   *     time into the stream at which they broke; only causes that occurred
   * @param cancelled streams the user cancelled (not interruptions), with the time into the stream
   */
  public record Streams(
      long streams,
      Distribution maxGap,
      Stalls stalls,
      Map<String, Distribution> interruptions,
      Distribution cancelled) {}

  /**
   * @param reported streams that reported their stalls
   * @param stalledStreams streams with at least one stall
   * @param stalls stalls summed over streams
   * @param stalledRate stalledStreams / reported (0 without reports)
   */
  public record Stalls(long reported, long stalledStreams, long stalls, double stalledRate) {}

  /** A count with exact percentiles (merged histograms), milliseconds. */
  public record Distribution(
      long count, double p50Ms, double p90Ms, double p95Ms, double p99Ms, double maxMs) {

    static Distribution of(long count, LatencyStats s) {
      return new Distribution(
          count,
          ms(s.p50Micros()),
          ms(s.p90Micros()),
          ms(s.p95Micros()),
          ms(s.p99Micros()),
          ms(s.maxMicros()));
    }
  }

  /**
   * What gateways did with the range's requests under admission control ({@code
   * tierscope.admission}, {@code tierscope.degradation}); rates are over {@code requests}. Requests
   * whose gateway reported nothing are in none of the counts.
   *
   * @param admitted served (degraded or not)
   * @param deferred not started: the client was told to retry later
   * @param shed refused, or cancelled while queued or streaming
   * @param degraded served at a degradation level
   * @param degradedByLevel per level ({@code "1"}, {@code "2"}, {@code "3"})
   * @param deferredRate deferred / requests
   * @param shedRate shed / requests
   * @param degradedRate degraded / requests
   */
  public record Admission(
      long admitted,
      long deferred,
      long shed,
      long degraded,
      Map<String, Long> degradedByLevel,
      double deferredRate,
      double shedRate,
      double degradedRate) {}

  /**
   * The requests of one value of the breakdown dimension: the same fields as the whole class's,
   * from that value's merged histograms.
   */
  public record Entry(String value, long requests, Slis slis, Components components) {}

  /**
   * How the range's requests got their class (the rest named it on a span).
   *
   * @param byRule requests per class rule of the spec file
   * @param fallback requests that no span and no rule classified (counted in the fallback class)
   * @param unknownClass requests that named a class outside the set
   */
  public record Classification(Map<String, Long> byRule, long fallback, long unknownClass) {}

  public record Slis(
      Ttft ttft,
      StreamInterruption streamInterruption,
      Toolchain toolchainLatency,
      RetrievalFallback retrievalFallback) {}

  /**
   * The TTFT SLI. Each SLI also carries {@code good} and {@code total}: its events as the error
   * budget counts them (and as the Prometheus counters {@code tierscope_slo_good_events_total} and
   * {@code tierscope_slo_events_total} count them for all time).
   *
   * @param count requests with a first token
   * @param unknown requests without one (no span reported a first-token signal): counted, never
   *     guessed, and not in the percentiles
   */
  public record Ttft(
      long count,
      long unknown,
      double p50Ms,
      double p90Ms,
      double p95Ms,
      double p99Ms,
      double maxMs,
      double goodRatio,
      boolean met,
      long good,
      long total) {}

  public record StreamInterruption(
      long streams,
      long interrupted,
      long cancelled,
      double rate,
      boolean met,
      long good,
      long total) {}

  public record Toolchain(
      long count,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      long failed,
      double goodRatio,
      boolean met,
      long good,
      long total) {}

  public record RetrievalFallback(
      long retrievals,
      long misses,
      long fallbacks,
      double ratio,
      double missToFallback,
      boolean met,
      long good,
      long total) {}

  /**
   * A TTFT component; {@code goodRatio} and {@code met} only when the class has an objective on it
   * (spec file).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Component(long count, double p50Ms, double p95Ms, Double goodRatio, Boolean met) {}

  public record Components(Component edge, Component mesh, Component model, Component modelQueue) {}

  static SloResponse of(String tenant, SloReport r) {
    return of(tenant, r, null, null);
  }

  /** The class's report with one entry per value of {@code breakdown} (null: no breakdown). */
  static SloResponse of(
      String tenant, SloReport r, String breakdown, Map<String, SloReport> byValue) {
    return new SloResponse(
        tenant,
        r.trafficClass(),
        r.from(),
        r.to(),
        r.requests(),
        slis(r),
        components(r),
        new Classification(
            r.classification().byRule(),
            r.classification().fallback(),
            r.classification().unknownClass()),
        admission(r),
        streams(r),
        breakdown,
        byValue == null
            ? null
            : byValue.entrySet().stream()
                .map(
                    e ->
                        new Entry(
                            e.getKey(),
                            e.getValue().requests(),
                            slis(e.getValue()),
                            components(e.getValue())))
                .toList());
  }

  private static Streams streams(SloReport r) {
    SloReport.Continuity c = r.continuity();
    Map<String, Distribution> byCause = new java.util.TreeMap<>();
    c.interruptionsByCause()
        .forEach(
            (cause, cut) -> byCause.put(cause, Distribution.of(cut.count(), cut.timeIntoStream())));
    return new Streams(
        r.streams().streams(),
        Distribution.of(c.maxGap().count(), c.maxGap()),
        new Stalls(c.stallReports(), c.stalledStreams(), c.stalls(), c.stalledRate()),
        byCause,
        Distribution.of(c.cancelled().count(), c.cancelled().timeIntoStream()));
  }

  private static Admission admission(SloReport r) {
    SloReport.Admission a = r.admission();
    Map<String, Long> byLevel = new java.util.TreeMap<>();
    a.degradedByLevel().forEach((level, n) -> byLevel.put(Integer.toString(level), n));
    return new Admission(
        a.admitted(),
        a.deferred(),
        a.shed(),
        a.degraded(),
        byLevel,
        SloReport.Admission.rate(a.deferred(), r.requests()),
        SloReport.Admission.rate(a.shed(), r.requests()),
        SloReport.Admission.rate(a.degraded(), r.requests()));
  }

  private static Slis slis(SloReport r) {
    LatencyStats t = r.ttft().stats();
    LatencyStats tc = r.toolchain().stats();
    return new Slis(
        new Ttft(
            t.count(),
            Math.max(0, r.requests() - t.count()),
            ms(t.p50Micros()),
            ms(t.p90Micros()),
            ms(t.p95Micros()),
            ms(t.p99Micros()),
            ms(t.maxMicros()),
            r.ttft().goodRatio(),
            r.ttft().met(),
            r.events().get(Sli.TTFT).good(),
            r.events().get(Sli.TTFT).total()),
        new StreamInterruption(
            r.streams().streams(),
            r.streams().interrupted(),
            r.streams().cancelled(),
            r.streams().rate(),
            r.streams().met(),
            r.events().get(Sli.STREAM_INTERRUPTION).good(),
            r.events().get(Sli.STREAM_INTERRUPTION).total()),
        new Toolchain(
            tc.count(),
            ms(tc.p50Micros()),
            ms(tc.p95Micros()),
            ms(tc.p99Micros()),
            r.toolchain().failed(),
            r.toolchain().goodRatio(),
            r.toolchain().met(),
            r.events().get(Sli.TOOLCHAIN_LATENCY).good(),
            r.events().get(Sli.TOOLCHAIN_LATENCY).total()),
        new RetrievalFallback(
            r.retrieval().retrievals(),
            r.retrieval().misses(),
            r.retrieval().fallbacks(),
            r.retrieval().ratio(),
            r.retrieval().missToFallback(),
            r.retrieval().met(),
            r.events().get(Sli.RETRIEVAL_FALLBACK).good(),
            r.events().get(Sli.RETRIEVAL_FALLBACK).total()));
  }

  private static Components components(SloReport r) {
    return new Components(
        component(r.edge(), r.componentObjectives().get(Indicator.EDGE)),
        component(r.mesh(), r.componentObjectives().get(Indicator.MESH)),
        component(r.model(), r.componentObjectives().get(Indicator.MODEL)),
        component(r.modelQueue(), r.componentObjectives().get(Indicator.MODEL_QUEUE)));
  }

  private static Component component(LatencyStats s, SloReport.LatencySli objective) {
    return new Component(
        s.count(),
        ms(s.p50Micros()),
        ms(s.p95Micros()),
        objective == null ? null : objective.goodRatio(),
        objective == null ? null : objective.met());
  }

  /** Microseconds to milliseconds, keeping the microsecond digits. */
  static double ms(long micros) {
    return micros / 1000.0;
  }
}
