package dev.tierscope.api.classes;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tierscope.api.web.Durations;
import dev.tierscope.api.web.Params;
import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.classes.LatencyObjective;
import dev.tierscope.core.classes.ObjectiveSource;
import dev.tierscope.core.classes.TrafficClass;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/classes}: the configured classes and their objectives, each with where it was
 * configured (spec file position, property, or default).
 */
@RestController
@RequestMapping("/api/v1")
class ClassesController {

  /** One class. */
  public record ClassJson(String name, Objectives objectives) {}

  /**
   * The four SLIs' objectives, and those TTFT components that have one (absent otherwise).
   *
   * @param edge edge component of TTFT, absent without an objective
   * @param mesh mesh component of TTFT, absent without an objective
   * @param model model component of TTFT, absent without an objective
   * @param modelQueue model queue time, absent without an objective
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Objectives(
      Latency ttft,
      MaxRate streamInterruption,
      Latency toolchainLatency,
      MaxRatio retrievalFallback,
      Latency edge,
      Latency mesh,
      Latency model,
      Latency modelQueue) {}

  /**
   * @param thresholdMs good at or under this, milliseconds
   * @param target fraction that must be good
   * @param timeWindow rolling error-budget window of this objective (e.g. {@code 28d}); absent: the
   *     api's {@code tierscope.api.budget.period}
   * @param source where the objective was configured
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Latency(double thresholdMs, double target, String timeWindow, Source source) {}

  /**
   * @param maxRate highest fraction of started streams that may break
   * @param timeWindow rolling error-budget window, absent for the api's default
   * @param source where the objective was configured
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record MaxRate(double maxRate, String timeWindow, Source source) {}

  /**
   * @param maxRatio highest fraction of retrievals served by a fallback
   * @param timeWindow rolling error-budget window, absent for the api's default
   * @param source where the objective was configured
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record MaxRatio(double maxRatio, String timeWindow, Source source) {}

  /**
   * Where an objective was configured.
   *
   * @param type {@code file}, {@code property} or {@code default}
   * @param file the spec file as configured ({@code file} only)
   * @param line 1-based line of the SLO object ({@code file} only)
   * @param column 1-based column ({@code file} only)
   * @param properties the properties that set it ({@code property} only)
   * @param text one line for people: {@code file:line:column}, {@code property name} or {@code
   *     default}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Source(
      String type,
      String file,
      Integer line,
      Integer column,
      List<String> properties,
      String text) {}

  private final Params params;

  ClassesController(Params params) {
    this.params = params;
  }

  @Operation(
      summary =
          "The configured traffic classes and their objectives, each with its time window and"
              + " source (spec file position, property or default)")
  @GetMapping("/classes")
  List<ClassJson> classes() {
    return params.classes().all().stream().map(ClassesController::json).toList();
  }

  static ClassJson json(TrafficClass c) {
    ClassObjectives o = c.objectives();
    return new ClassJson(
        c.name(),
        new Objectives(
            new Latency(
                o.ttftThresholdMicros() / 1000.0,
                o.ttftTarget(),
                window(c, Indicator.TTFT),
                source(c.source(Indicator.TTFT))),
            new MaxRate(
                o.maxInterruptionRate(),
                window(c, Indicator.STREAM_INTERRUPTION),
                source(c.source(Indicator.STREAM_INTERRUPTION))),
            new Latency(
                o.toolchainThresholdMicros() / 1000.0,
                o.toolchainTarget(),
                window(c, Indicator.TOOLCHAIN_LATENCY),
                source(c.source(Indicator.TOOLCHAIN_LATENCY))),
            new MaxRatio(
                o.maxFallbackRatio(),
                window(c, Indicator.RETRIEVAL_FALLBACK),
                source(c.source(Indicator.RETRIEVAL_FALLBACK))),
            component(c, Indicator.EDGE),
            component(c, Indicator.MESH),
            component(c, Indicator.MODEL),
            component(c, Indicator.MODEL_QUEUE)));
  }

  private static Latency component(TrafficClass c, Indicator i) {
    LatencyObjective o = c.components().get(i);
    if (o == null) {
      return null;
    }
    return new Latency(o.thresholdMicros() / 1000.0, o.target(), window(c, i), source(c.source(i)));
  }

  private static String window(TrafficClass c, Indicator i) {
    Duration d = c.timeWindow(i);
    return d == null ? null : Durations.format(d);
  }

  static Source source(ObjectiveSource s) {
    String type = s.type().name().toLowerCase(Locale.ROOT);
    return switch (s.type()) {
      case FILE -> new Source(type, s.file(), s.line(), s.column(), null, s.describe());
      case PROPERTY -> new Source(type, null, null, null, s.properties(), s.describe());
      case DEFAULT -> new Source(type, null, null, null, null, s.describe());
    };
  }
}
