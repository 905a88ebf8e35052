package dev.tierscope.api.classes;

import dev.tierscope.api.web.Params;
import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.TrafficClass;
import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/classes}: the configured classes and their objectives. */
@RestController
@RequestMapping("/api/v1")
public class ClassesController {

  /** One class. */
  public record ClassJson(String name, Objectives objectives) {}

  public record Objectives(
      Latency ttft,
      MaxRate streamInterruption,
      Latency toolchainLatency,
      MaxRatio retrievalFallback) {}

  /**
   * @param thresholdMs good at or under this, milliseconds
   * @param target fraction that must be good
   */
  public record Latency(double thresholdMs, double target) {}

  public record MaxRate(double maxRate) {}

  public record MaxRatio(double maxRatio) {}

  private final Params params;

  ClassesController(Params params) {
    this.params = params;
  }

  @Operation(summary = "The configured traffic classes and their objectives")
  @GetMapping("/classes")
  List<ClassJson> classes() {
    return params.classes().all().stream().map(ClassesController::json).toList();
  }

  static ClassJson json(TrafficClass c) {
    ClassObjectives o = c.objectives();
    return new ClassJson(
        c.name(),
        new Objectives(
            new Latency(o.ttftThresholdMicros() / 1000.0, o.ttftTarget()),
            new MaxRate(o.maxInterruptionRate()),
            new Latency(o.toolchainThresholdMicros() / 1000.0, o.toolchainTarget()),
            new MaxRatio(o.maxFallbackRatio())));
  }
}
