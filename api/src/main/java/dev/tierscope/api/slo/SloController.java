package dev.tierscope.api.slo;

import dev.tierscope.api.web.BadParameterException;
import dev.tierscope.api.web.TimeParameters;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.slo.SloCalculator;
import java.time.Instant;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/slo}: a class's SLIs over a range, from exactly merged histograms. */
@RestController
@RequestMapping("/api/v1")
public class SloController {

  private final SloCalculator calculator;
  private final TrafficClasses classes;
  private final ApiProperties properties;

  SloController(SloCalculator calculator, TrafficClasses classes, ApiProperties properties) {
    this.calculator = calculator;
    this.classes = classes;
    this.properties = properties;
  }

  @GetMapping("/slo")
  SloResponse slo(
      @RequestParam("class") String className,
      @RequestParam("from") String from,
      @RequestParam("to") String to,
      @RequestParam(value = "tenant", required = false) String tenant) {
    TrafficClass cls = classes.get(className);
    if (cls == null) {
      throw new BadParameterException(
          "class",
          "unknown class '"
              + className
              + "'; known classes: "
              + classes.all().stream().map(TrafficClass::name).toList());
    }
    Instant[] range = TimeParameters.range(from, to);
    String t = tenant == null || tenant.isBlank() ? properties.defaultTenant() : tenant;
    return SloResponse.of(t, calculator.report(t, cls, range[0], range[1]));
  }
}
