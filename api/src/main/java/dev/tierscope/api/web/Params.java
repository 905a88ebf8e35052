package dev.tierscope.api.web;

import dev.tierscope.api.ApiProperties;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanLimits;
import org.springframework.stereotype.Component;

/** Resolves the parameters most endpoints share: {@code class} and {@code tenant}. */
@Component
public class Params {

  private final TrafficClasses classes;
  private final ApiProperties properties;

  public Params(TrafficClasses classes, ApiProperties properties) {
    this.classes = classes;
    this.properties = properties;
  }

  /** The configured class of this name. */
  public TrafficClass trafficClass(String name) {
    TrafficClass cls = classes.get(name);
    if (cls == null) {
      throw new BadParameterException(
          "class",
          "unknown class '"
              + name
              + "'; known classes: "
              + classes.all().stream().map(TrafficClass::name).toList());
    }
    return cls;
  }

  /**
   * The tenant named, or the default one when none is. The rule is core's ({@link
   * SpanLimits#TENANT_PATTERN}), the one the ingest holds every span to: whatever was stored can be
   * asked for, {@code __overflow__} (what the caps folded) included.
   */
  public String tenant(String tenant) {
    if (tenant == null || tenant.isBlank()) {
      return properties.defaultTenant();
    }
    if (!SpanLimits.matchesTenantPattern(tenant)) {
      throw new BadParameterException(
          "tenant",
          "'tenant' must match "
              + SpanLimits.TENANT_PATTERN
              + ", was '"
              + SpanLimits.shown(tenant)
              + "'");
    }
    return tenant;
  }

  public TrafficClasses classes() {
    return classes;
  }
}
