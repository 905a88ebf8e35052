package dev.tierscope.api.attribution;

import dev.tierscope.api.web.ApiDocs;
import dev.tierscope.api.web.BadParameterException;
import dev.tierscope.api.web.Params;
import dev.tierscope.api.web.TimeParameters;
import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.query.TimeRange;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/attribution}: which tier made a class slow, against a baseline. */
@RestController
@RequestMapping("/api/v1")
class AttributionController {

  private final AttributionCalculator calculator;
  private final AttributionProperties properties;
  private final Params params;

  AttributionController(
      AttributionCalculator calculator, AttributionProperties properties, Params params) {
    this.calculator = calculator;
    this.properties = properties;
    this.params = params;
  }

  @Operation(
      summary = "Which tier (edge, mesh, model) made a class slow, against a baseline",
      description =
          "verdict: the found tier with the largest growth, none (no significant TTFT regression"
              + " or no tier found) or insufficient_data (fewer than min-requests requests in the"
              + " range or the baseline); confidence: the share of bootstrap resamples reaching"
              + " the same verdict; tiersFound: every tier whose component grew significantly,"
              + " with its share, the share's 95% interval and its confidence")
  @GetMapping("/attribution")
  AttributionResponse attribution(
      @Parameter(description = ApiDocs.CLASS) @RequestParam("class") String className,
      @Parameter(description = ApiDocs.FROM) @RequestParam("from") String from,
      @Parameter(description = ApiDocs.TO) @RequestParam("to") String to,
      @Parameter(description = "Baseline start; with baselineTo. Default: the hour before from")
          @RequestParam(value = "baselineFrom", required = false)
          String baselineFrom,
      @Parameter(description = "Baseline end; with baselineFrom")
          @RequestParam(value = "baselineTo", required = false)
          String baselineTo,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    TrafficClass cls = params.trafficClass(className);
    TimeRange range = TimeParameters.range(from, to);
    boolean hasFrom = baselineFrom != null && !baselineFrom.isBlank();
    boolean hasTo = baselineTo != null && !baselineTo.isBlank();
    if (hasFrom != hasTo) {
      throw new BadParameterException(
          hasFrom ? "baselineTo" : "baselineFrom",
          "'baselineFrom' and 'baselineTo' go together: give both or neither");
    }
    TimeRange baseline =
        hasFrom
            ? TimeParameters.range("baselineFrom", baselineFrom, "baselineTo", baselineTo)
            : range.before(properties.baseline());
    String t = params.tenant(tenant);
    return AttributionResponse.of(
        t,
        calculator.attribute(t, cls, range.from(), range.to(), baseline.from(), baseline.to()),
        properties);
  }
}
