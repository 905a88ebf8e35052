package dev.tierscope.api.web;

import dev.tierscope.api.ApiProperties;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/** Resolves the parameters most endpoints share: {@code class} and {@code tenant}. */
@Component
public class Params {

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

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

  /** The tenant named, or the default one when none is. */
  public String tenant(String tenant) {
    if (tenant == null || tenant.isBlank()) {
      return properties.defaultTenant();
    }
    if (!TENANT.matcher(tenant).matches()) {
      throw new BadParameterException(
          "tenant", "'tenant' must match " + TENANT.pattern() + ", was '" + tenant + "'");
    }
    return tenant;
  }

  public TrafficClasses classes() {
    return classes;
  }
}
