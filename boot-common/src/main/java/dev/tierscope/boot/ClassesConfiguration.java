package dev.tierscope.boot;

import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Builds the {@link TrafficClasses} bean from {@code tierscope.classes.*}; fails fast on errors.
 */
@AutoConfiguration
@EnableConfigurationProperties(ClassesProperties.class)
public class ClassesConfiguration {

  @Bean
  @ConditionalOnMissingBean
  TrafficClasses trafficClasses(ClassesProperties properties) {
    return build(properties);
  }

  /** The classes the properties describe, defaults first; errors name the property. */
  public static TrafficClasses build(ClassesProperties properties) {
    Map<String, TrafficClass> classes = new LinkedHashMap<>();
    for (TrafficClass c : TrafficClasses.defaultClasses()) {
      classes.put(c.name(), c);
    }
    if (properties.objectives() != null) {
      properties
          .objectives()
          .forEach(
              (name, o) -> {
                TrafficClass base = classes.get(name);
                ClassObjectives d = base != null ? base.objectives() : null;
                try {
                  ClassObjectives merged =
                      new ClassObjectives(
                          pick(o.ttftThreshold(), d == null ? null : d.ttftThreshold()),
                          pick(o.ttftTarget(), d == null ? null : d.ttftTarget()),
                          pick(o.maxInterruptionRate(), d == null ? null : d.maxInterruptionRate()),
                          pick(o.toolchainThreshold(), d == null ? null : d.toolchainThreshold()),
                          pick(o.toolchainTarget(), d == null ? null : d.toolchainTarget()),
                          pick(o.maxFallbackRatio(), d == null ? null : d.maxFallbackRatio()));
                  classes.put(name, new TrafficClass(name, merged));
                } catch (IllegalArgumentException | NullPointerException e) {
                  throw new IllegalStateException(
                      "tierscope.classes.objectives."
                          + name
                          + " is invalid (a new class must set every objective): "
                          + e.getMessage(),
                      e);
                }
              });
    }
    try {
      return new TrafficClasses(
          new ArrayList<>(classes.values()),
          properties.aliases() == null ? Map.of() : properties.aliases(),
          properties.fallback());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("tierscope.classes is invalid: " + e.getMessage(), e);
    }
  }

  private static <T> T pick(T configured, T fallback) {
    if (configured != null) {
      return configured;
    }
    if (fallback == null) {
      throw new NullPointerException("objective missing");
    }
    return fallback;
  }
}
