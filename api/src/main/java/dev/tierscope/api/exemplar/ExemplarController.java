package dev.tierscope.api.exemplar;

import dev.tierscope.api.attribution.AttributionProperties;
import dev.tierscope.api.web.ApiDocs;
import dev.tierscope.api.web.BadParameterException;
import dev.tierscope.api.web.Params;
import dev.tierscope.api.web.TimeParameters;
import dev.tierscope.core.attribution.RequestAttribution;
import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.query.TimeRange;
import dev.tierscope.core.store.ExemplarReader;
import dev.tierscope.core.store.StoredExemplar;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Metric;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/exemplars}: trace ids of the slowest requests (by TTFT) of a class in a range,
 * so that a tail percentile leads to the traces behind it. The aggregator keeps the slowest few of
 * every 10 s window; this answers the slowest of those, each with its dominant tier and component
 * ({@link RequestAttribution}) against the class's baseline, the {@code
 * tierscope.api.attribution.baseline} before {@code from}.
 */
@RestController
@RequestMapping("/api/v1")
class ExemplarController {

  private static final Set<Metric> TIER_METRICS =
      EnumSet.of(Metric.EDGE, Metric.MESH, Metric.MODEL);

  private final ExemplarReader reader;
  private final WindowReader windows;
  private final ExemplarProperties properties;
  private final AttributionProperties attribution;
  private final Params params;

  ExemplarController(
      ExemplarReader reader,
      WindowReader windows,
      ExemplarProperties properties,
      AttributionProperties attribution,
      Params params) {
    this.reader = reader;
    this.windows = windows;
    this.properties = properties;
    this.attribution = attribution;
    this.params = params;
  }

  @Operation(
      summary =
          "Trace ids of the slowest requests (by TTFT) of a class in a range, each with its"
              + " dominant tier and component against the baseline before the range")
  @GetMapping("/exemplars")
  ExemplarResponse exemplars(
      @Parameter(description = ApiDocs.CLASS) @RequestParam("class") String className,
      @Parameter(description = ApiDocs.FROM) @RequestParam("from") String from,
      @Parameter(description = ApiDocs.TO) @RequestParam("to") String to,
      @Parameter(
              description =
                  "Most exemplars returned; tierscope.api.exemplars.default-limit when absent")
          @RequestParam(value = "limit", required = false)
          Integer limit,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    TrafficClass cls = params.trafficClass(className);
    TimeRange range = TimeParameters.range(from, to);
    int n = limit == null ? properties.defaultLimit() : limit;
    if (n < 1 || n > properties.maxLimit()) {
      throw new BadParameterException(
          "limit", "'limit' must lie between 1 and " + properties.maxLimit() + ", was " + n);
    }
    String t = params.tenant(tenant);
    long thresholdMicros = cls.objectives().ttftThresholdMicros();
    List<StoredExemplar> slowest = reader.slowest(t, cls.name(), range.from(), range.to(), n);
    Map<Tier, Histogram> baseline = new EnumMap<>(Tier.class);
    if (!slowest.isEmpty()) {
      TimeRange before = range.before(attribution.baseline());
      Map<Metric, Histogram> h =
          windows.merged(t, cls.name(), TIER_METRICS, before.from(), before.to());
      for (Tier tier : Tier.values()) {
        baseline.put(tier, h.get(tier.metric()));
      }
    }
    List<ExemplarResponse.Exemplar> out =
        slowest.stream()
            .map(
                e ->
                    ExemplarResponse.Exemplar.of(
                        e,
                        thresholdMicros,
                        RequestAttribution.of(e.exemplar().breakdown(), baseline)))
            .toList();
    return new ExemplarResponse(
        t, cls.name(), range.from(), range.to(), n, thresholdMicros / 1000.0, out);
  }
}
