package dev.tierscope.api.slo;

import dev.tierscope.api.ApiProperties;
import dev.tierscope.api.web.ApiDocs;
import dev.tierscope.api.web.BadParameterException;
import dev.tierscope.api.web.Durations;
import dev.tierscope.api.web.Params;
import dev.tierscope.api.web.TimeParameters;
import dev.tierscope.boot.SpansProperties;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.query.StepPlan;
import dev.tierscope.core.query.TimeRange;
import dev.tierscope.core.slo.SeriesCalculator;
import dev.tierscope.core.slo.Signal;
import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.window.Dimension;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/slo}: a class's SLIs over a range; {@code GET /api/v1/slo/series}: one
 * statistic per step. Both from exactly merged histograms.
 */
@RestController
@RequestMapping("/api/v1")
class SloController {

  private final SloCalculator calculator;
  private final SeriesCalculator series;
  private final Params params;
  private final ApiProperties properties;
  private final java.time.Duration window;

  SloController(
      SloCalculator calculator,
      SeriesCalculator series,
      Params params,
      ApiProperties properties,
      SpansProperties spans) {
    this.calculator = calculator;
    this.series = series;
    this.params = params;
    this.properties = properties;
    this.window = spans.window();
  }

  private static final String BREAKDOWN_DOC =
      "One dimension to break the class down by, one entry per value: clientPath, connectionType,"
          + " protocolVersion, region, model, service or retrievalService";

  private static final String FILTER_DOC =
      "<dimension>:<value>, e.g. model:gpt-4o: only that value's entry (of the breakdown's"
          + " dimension when both are given)";

  /**
   * The dimension and the value a request asked for: {@code breakdown=} and {@code filter=}.
   *
   * @param dimension null when neither was given
   * @param value the filtered value, null without a filter
   */
  record Breakdown(Dimension dimension, String value) {

    static final Breakdown NONE = new Breakdown(null, null);

    <T> Map<String, T> select(Map<String, T> byValue) {
      if (value == null) {
        return byValue;
      }
      Map<String, T> one = new LinkedHashMap<>();
      if (byValue.containsKey(value)) {
        one.put(value, byValue.get(value));
      }
      return one;
    }

    static Breakdown parse(String breakdown, String filter) {
      Dimension d = null;
      if (breakdown != null && !breakdown.isBlank()) {
        d = Dimension.fromId(breakdown);
        if (d == null) {
          throw new BadParameterException(
              "breakdown", "unknown breakdown '" + breakdown + "'; one of " + Dimension.ids());
        }
      }
      if (filter == null || filter.isBlank()) {
        return d == null ? NONE : new Breakdown(d, null);
      }
      int colon = filter.indexOf(':');
      if (colon <= 0 || colon == filter.length() - 1) {
        throw new BadParameterException(
            "filter",
            "'filter' must be <dimension>:<value>, e.g. model:gpt-4o, was '" + filter + "'");
      }
      Dimension f = Dimension.fromId(filter.substring(0, colon));
      if (f == null) {
        throw new BadParameterException(
            "filter",
            "unknown dimension '"
                + filter.substring(0, colon)
                + "' in 'filter'; one of "
                + Dimension.ids());
      }
      if (d != null && d != f) {
        throw new BadParameterException(
            "filter",
            "'filter' on "
                + f.id()
                + " with breakdown="
                + d.id()
                + ": the windows keep one dimension at a time, not their combinations; filter on "
                + d.id()
                + " or break down by "
                + f.id());
      }
      return new Breakdown(f, filter.substring(colon + 1));
    }
  }

  @Operation(summary = "A class's four SLIs and TTFT components over a range")
  @GetMapping("/slo")
  SloResponse slo(
      @Parameter(description = ApiDocs.CLASS) @RequestParam("class") String className,
      @Parameter(description = ApiDocs.FROM) @RequestParam("from") String from,
      @Parameter(description = ApiDocs.TO) @RequestParam("to") String to,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant,
      @Parameter(description = BREAKDOWN_DOC) @RequestParam(value = "breakdown", required = false)
          String breakdown,
      @Parameter(description = FILTER_DOC) @RequestParam(value = "filter", required = false)
          String filter) {
    TrafficClass cls = params.trafficClass(className);
    Breakdown b = Breakdown.parse(breakdown, filter);
    TimeRange range = TimeParameters.range(from, to);
    String t = params.tenant(tenant);
    if (b.dimension() == null) {
      return SloResponse.of(t, calculator.report(t, cls, range.from(), range.to()));
    }
    return SloResponse.of(
        t,
        calculator.report(t, cls, range.from(), range.to()),
        b.dimension().id(),
        b.select(calculator.reportBy(t, cls, b.dimension(), range.from(), range.to())));
  }

  @Operation(summary = "One statistic per step; each point merges exactly the windows of its step")
  @GetMapping("/slo/series")
  SeriesResponse series(
      @Parameter(description = ApiDocs.CLASS) @RequestParam("class") String className,
      @Parameter(
              description =
                  "ttft, edge, mesh, model, modelQueue, toolchainLatency, streamInterruption,"
                      + " retrievalFallback, admission, e2e, retrievalsPerRequest,"
                      + " toolCallsPerRequest, missToFallback, streamMaxGap, streamStalls,"
                      + " streamCutIdleTimeout, streamCutUpstreamReset, streamCutNetwork,"
                      + " streamCutServerError, streamCutUnknown or streamCutCancelled")
          @RequestParam("sli")
          String sli,
      @Parameter(
              description =
                  "p50, p90, p95, p99, max, count; ratio (good ratio) for ttft and"
                      + " toolchainLatency; rate for streamInterruption; ratio for"
                      + " retrievalFallback; shedRate, deferredRate, degradedRate and count"
                      + " (requests) for admission; mean for retrievalsPerRequest and"
                      + " toolCallsPerRequest; ratio, count and budget for missToFallback; rate (stalled streams / streams that reported stalls) and count (stalls) for streamStalls")
          @RequestParam("stat")
          String stat,
      @Parameter(description = ApiDocs.FROM) @RequestParam("from") String from,
      @Parameter(description = ApiDocs.TO) @RequestParam("to") String to,
      @Parameter(description = ApiDocs.STEP) @RequestParam(value = "step", required = false)
          String step,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant,
      @Parameter(description = BREAKDOWN_DOC) @RequestParam(value = "breakdown", required = false)
          String breakdown,
      @Parameter(description = FILTER_DOC) @RequestParam(value = "filter", required = false)
          String filter) {
    TrafficClass cls = params.trafficClass(className);
    Breakdown b = Breakdown.parse(breakdown, filter);
    Signal signal = Signal.fromId(sli);
    if (signal == null) {
      throw new BadParameterException(
          "sli",
          "unknown sli '"
              + sli
              + "'; one of "
              + Arrays.stream(Signal.values()).map(Signal::id).toList());
    }
    Signal.Stat s = Signal.Stat.fromId(stat);
    if (s == null || !signal.stats().contains(s)) {
      throw new BadParameterException(
          "stat",
          "stat '"
              + stat
              + "' does not fit sli '"
              + signal.id()
              + "'; one of "
              + signal.stats().stream().map(Signal.Stat::id).toList());
    }
    if (b.dimension() != null && !SeriesCalculator.breaksDown(signal)) {
      throw new BadParameterException(
          breakdown != null && !breakdown.isBlank() ? "breakdown" : "filter",
          "sli '"
              + signal.id()
              + "' is not kept per breakdown value (the breakdowns keep the SLIs, their TTFT"
              + " components and missToFallback)");
    }
    TimeRange range = TimeParameters.range(from, to);
    Duration d =
        step == null || step.isBlank()
            ? StepPlan.defaultStep(range.length())
            : Durations.parse("step", step);
    StepPlan plan;
    try {
      plan = StepPlan.checked(range, d, window, properties.maxPoints());
    } catch (IllegalArgumentException e) {
      throw new BadParameterException("step", e.getMessage());
    }
    String t = params.tenant(tenant);
    List<SeriesCalculator.Point> whole = series.series(t, cls, signal, s, plan);
    if (b.dimension() == null) {
      return SeriesResponse.of(t, cls.name(), signal, s, range.from(), range.to(), d, whole);
    }
    return SeriesResponse.of(
        t,
        cls.name(),
        signal,
        s,
        range.from(),
        range.to(),
        d,
        whole,
        b.dimension().id(),
        b.select(series.seriesBy(t, cls, signal, s, plan, b.dimension())));
  }
}
