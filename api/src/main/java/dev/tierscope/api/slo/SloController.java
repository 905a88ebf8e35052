package dev.tierscope.api.slo;

import dev.tierscope.api.ApiProperties;
import dev.tierscope.api.web.ApiDocs;
import dev.tierscope.api.web.BadParameterException;
import dev.tierscope.api.web.Durations;
import dev.tierscope.api.web.Params;
import dev.tierscope.api.web.TimeParameters;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.slo.SeriesCalculator;
import dev.tierscope.core.slo.Signal;
import dev.tierscope.core.slo.SloCalculator;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
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
public class SloController {

  /** Steps a series picks from when none is given, the first with at most 300 points. */
  private static final List<Duration> DEFAULT_STEPS =
      List.of(
          Duration.ofSeconds(10),
          Duration.ofMinutes(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(15),
          Duration.ofHours(1),
          Duration.ofHours(6),
          Duration.ofDays(1),
          Duration.ofDays(7));

  private static final int DEFAULT_POINTS = 300;

  private final SloCalculator calculator;
  private final SeriesCalculator series;
  private final Params params;
  private final ApiProperties properties;

  SloController(
      SloCalculator calculator, SeriesCalculator series, Params params, ApiProperties properties) {
    this.calculator = calculator;
    this.series = series;
    this.params = params;
    this.properties = properties;
  }

  @Operation(summary = "A class's four SLIs and TTFT components over a range")
  @GetMapping("/slo")
  SloResponse slo(
      @Parameter(description = ApiDocs.CLASS) @RequestParam("class") String className,
      @Parameter(description = ApiDocs.FROM) @RequestParam("from") String from,
      @Parameter(description = ApiDocs.TO) @RequestParam("to") String to,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    TrafficClass cls = params.trafficClass(className);
    Instant[] range = TimeParameters.range(from, to);
    String t = params.tenant(tenant);
    return SloResponse.of(t, calculator.report(t, cls, range[0], range[1]));
  }

  @Operation(summary = "One statistic per step; each point merges exactly the windows of its step")
  @GetMapping("/slo/series")
  SeriesResponse series(
      @Parameter(description = ApiDocs.CLASS) @RequestParam("class") String className,
      @Parameter(
              description =
                  "ttft, edge, mesh, model, modelQueue, toolchainLatency, streamInterruption, retrievalFallback or admission")
          @RequestParam("sli")
          String sli,
      @Parameter(
              description =
                  "p50, p90, p95, p99, max, count; ratio (good ratio) for ttft and toolchainLatency; rate for streamInterruption; ratio for retrievalFallback; shedRate, deferredRate, degradedRate and count (requests) for admission")
          @RequestParam("stat")
          String stat,
      @Parameter(description = ApiDocs.FROM) @RequestParam("from") String from,
      @Parameter(description = ApiDocs.TO) @RequestParam("to") String to,
      @Parameter(description = ApiDocs.STEP) @RequestParam(value = "step", required = false)
          String step,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    TrafficClass cls = params.trafficClass(className);
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
    Instant[] range = TimeParameters.range(from, to);
    Duration length = Duration.between(range[0], range[1]);
    Duration window = properties.window();
    Duration d =
        step == null || step.isBlank() ? defaultStep(length) : Durations.parse("step", step);
    if (d.compareTo(window) < 0 || d.toMillis() % window.toMillis() != 0) {
      throw new BadParameterException(
          "step",
          "'step' must be a multiple of the "
              + Durations.format(window)
              + " window so that every point merges whole windows, was "
              + Durations.format(d));
    }
    long points = (length.toNanos() + d.toNanos() - 1) / d.toNanos();
    if (points > properties.maxPoints()) {
      throw new BadParameterException(
          "step",
          "the range of "
              + Durations.format(length.withNanos(0))
              + " at a step of "
              + Durations.format(d)
              + " has "
              + points
              + " points, more than the "
              + properties.maxPoints()
              + " allowed; use a larger step or a shorter range");
    }
    String t = params.tenant(tenant);
    return SeriesResponse.of(
        t,
        cls.name(),
        signal,
        s,
        range[0],
        range[1],
        d,
        series.series(t, cls, signal, s, range[0], range[1], d));
  }

  private static Duration defaultStep(Duration length) {
    for (Duration d : DEFAULT_STEPS) {
      if (length.toNanos() / d.toNanos() <= DEFAULT_POINTS) {
        return d;
      }
    }
    return DEFAULT_STEPS.get(DEFAULT_STEPS.size() - 1);
  }
}
