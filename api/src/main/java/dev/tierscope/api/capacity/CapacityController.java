package dev.tierscope.api.capacity;

import com.fasterxml.jackson.annotation.JsonProperty;
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
import dev.tierscope.core.query.TokenDemand;
import dev.tierscope.core.store.WindowReader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/capacity/tokens}: input and output tokens per class and workflow, in total and
 * per step, for capacity planning.
 */
@RestController
@RequestMapping("/api/v1/capacity")
class CapacityController {

  /** JSON of the endpoint. */
  public record TokensResponse(
      String tenant, Instant from, Instant to, String step, List<Series> series) {}

  /**
   * One class and workflow; {@code workflow} is empty for requests that named none.
   *
   * @param points one per step
   */
  public record Series(
      @JsonProperty("class") String trafficClass,
      String workflow,
      long inputTokens,
      long outputTokens,
      List<Point> points) {}

  public record Point(Instant t, long inputTokens, long outputTokens) {}

  private final TokenDemand demand;
  private final Params params;
  private final ApiProperties properties;
  private final java.time.Duration window;

  CapacityController(
      WindowReader reader, Params params, ApiProperties properties, SpansProperties spans) {
    this.demand = new TokenDemand(reader);
    this.params = params;
    this.properties = properties;
    this.window = spans.window();
  }

  @Operation(summary = "Input and output tokens per class and workflow, in total and per step")
  @GetMapping("/tokens")
  TokensResponse tokens(
      @Parameter(description = ApiDocs.FROM) @RequestParam("from") String from,
      @Parameter(description = ApiDocs.TO) @RequestParam("to") String to,
      @Parameter(description = ApiDocs.STEP) @RequestParam(value = "step", required = false)
          String step,
      @Parameter(description = "One class; all when absent")
          @RequestParam(value = "class", required = false)
          String className,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    TimeRange range = TimeParameters.range(from, to);
    StepPlan plan;
    if (step == null || step.isBlank()) {
      plan = StepPlan.whole(range);
    } else {
      Duration d = Durations.parse("step", step);
      try {
        plan = StepPlan.checked(range, d, window, properties.maxPoints());
      } catch (IllegalArgumentException e) {
        throw new BadParameterException("step", e.getMessage());
      }
    }
    List<String> classes =
        className == null || className.isBlank()
            ? params.classes().all().stream().map(TrafficClass::name).toList()
            : List.of(params.trafficClass(className).name());
    String t = params.tenant(tenant);
    List<Instant> boundaries = plan.boundaries();
    List<Series> out = new ArrayList<>();
    for (TokenDemand.Series s : demand.series(t, classes, boundaries)) {
      List<Point> p = new ArrayList<>(boundaries.size() - 1);
      for (int i = 0; i + 1 < boundaries.size(); i++) {
        p.add(new Point(boundaries.get(i), s.input()[i], s.output()[i]));
      }
      out.add(new Series(s.trafficClass(), s.workflow(), s.inputTokens(), s.outputTokens(), p));
    }
    return new TokensResponse(t, range.from(), range.to(), Durations.format(plan.step()), out);
  }
}
