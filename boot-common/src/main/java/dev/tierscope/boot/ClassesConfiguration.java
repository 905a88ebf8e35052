package dev.tierscope.boot;

import dev.tierscope.core.classes.ObjectiveField;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.classes.TrafficClassesBuilder;
import dev.tierscope.slospec.SloSpecReader;
import java.nio.file.Path;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Builds the {@link TrafficClasses} bean from {@code tierscope.classes.*} and the spec file it
 * names; fails fast, with every problem and its file position or property, on errors.
 */
@AutoConfiguration
@EnableConfigurationProperties(ClassesProperties.class)
public class ClassesConfiguration {

  /** Prefix of the per-class objective properties. */
  static final String OBJECTIVES = "tierscope.classes.objectives.";

  @Bean
  @ConditionalOnMissingBean
  TrafficClasses trafficClasses(ClassesProperties properties) {
    return build(properties);
  }

  /**
   * The classes the properties and the spec file describe, defaults first.
   *
   * @throws dev.tierscope.core.classes.SloSpecException listing every problem, each with its file
   *     position (as the {@code validate} command prints it) or its property
   */
  public static TrafficClasses build(ClassesProperties properties) {
    TrafficClassesBuilder builder = new TrafficClassesBuilder();
    if (properties.objectives() != null) {
      properties
          .objectives()
          .forEach(
              (name, o) -> {
                set(builder, name, ObjectiveField.TTFT_THRESHOLD, o.ttftThreshold());
                set(builder, name, ObjectiveField.TTFT_TARGET, o.ttftTarget());
                set(builder, name, ObjectiveField.MAX_INTERRUPTION_RATE, o.maxInterruptionRate());
                set(builder, name, ObjectiveField.TOOLCHAIN_THRESHOLD, o.toolchainThreshold());
                set(builder, name, ObjectiveField.TOOLCHAIN_TARGET, o.toolchainTarget());
                set(builder, name, ObjectiveField.MAX_FALLBACK_RATIO, o.maxFallbackRatio());
              });
    }
    if (properties.aliases() != null) {
      properties
          .aliases()
          .forEach(
              (value, target) ->
                  builder.alias(value, target, "tierscope.classes.aliases." + value));
    }
    builder.fallbackProperty(properties.fallback(), "tierscope.classes.fallback");
    String file = properties.specFile();
    if (file == null || file.isBlank()) {
      return builder.build("tierscope.classes");
    }
    return SloSpecReader.load(Path.of(file.trim()), builder);
  }

  private static void set(
      TrafficClassesBuilder builder, String className, ObjectiveField field, Object value) {
    if (value != null) {
      builder.property(className, field, value, OBJECTIVES + className + "." + field.property());
    }
  }
}
