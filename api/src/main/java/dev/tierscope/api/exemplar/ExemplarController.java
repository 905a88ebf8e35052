package dev.tierscope.api.exemplar;

import dev.tierscope.api.web.ApiDocs;
import dev.tierscope.api.web.BadParameterException;
import dev.tierscope.api.web.Params;
import dev.tierscope.api.web.TimeParameters;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.store.ExemplarReader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/exemplars}: trace ids of the slowest requests (by TTFT) of a class in a range,
 * so that a tail percentile leads to the traces behind it. The aggregator keeps the slowest few of
 * every 10 s window; this answers the slowest of those.
 */
@RestController
@RequestMapping("/api/v1")
public class ExemplarController {

  private final ExemplarReader reader;
  private final ExemplarProperties properties;
  private final Params params;

  ExemplarController(ExemplarReader reader, ExemplarProperties properties, Params params) {
    this.reader = reader;
    this.properties = properties;
    this.params = params;
  }

  @Operation(summary = "Trace ids of the slowest requests (by TTFT) of a class in a range")
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
    Instant[] range = TimeParameters.range(from, to);
    int n = limit == null ? properties.defaultLimit() : limit;
    if (n < 1 || n > properties.maxLimit()) {
      throw new BadParameterException(
          "limit", "'limit' must lie between 1 and " + properties.maxLimit() + ", was " + n);
    }
    String t = params.tenant(tenant);
    long thresholdMicros = cls.objectives().ttftThresholdMicros();
    List<ExemplarResponse.Exemplar> out =
        reader.slowest(t, cls.name(), range[0], range[1], n).stream()
            .map(
                e ->
                    new ExemplarResponse.Exemplar(
                        e.exemplar().traceId(),
                        e.exemplar().ttftMicros() / 1000.0,
                        e.exemplar().ttftMicros() > thresholdMicros,
                        e.windowStart()))
            .toList();
    return new ExemplarResponse(
        t, cls.name(), range[0], range[1], n, thresholdMicros / 1000.0, out);
  }
}
