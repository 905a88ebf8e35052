package dev.tierscope.core.classes;

import java.time.Duration;

/**
 * The six numbers of {@link ClassObjectives}, each with the indicator it belongs to and its
 * property name ({@code tierscope.classes.objectives.<class>.<property>}).
 */
public enum ObjectiveField {
  TTFT_THRESHOLD("ttft-threshold", Indicator.TTFT, Duration.class),
  TTFT_TARGET("ttft-target", Indicator.TTFT, Double.class),
  MAX_INTERRUPTION_RATE("max-interruption-rate", Indicator.STREAM_INTERRUPTION, Double.class),
  TOOLCHAIN_THRESHOLD("toolchain-threshold", Indicator.TOOLCHAIN_LATENCY, Duration.class),
  TOOLCHAIN_TARGET("toolchain-target", Indicator.TOOLCHAIN_LATENCY, Double.class),
  MAX_FALLBACK_RATIO("max-fallback-ratio", Indicator.RETRIEVAL_FALLBACK, Double.class);

  private final String property;
  private final Indicator indicator;
  private final Class<?> type;

  ObjectiveField(String property, Indicator indicator, Class<?> type) {
    this.property = property;
    this.indicator = indicator;
    this.type = type;
  }

  /** The last segment of the property name, e.g. {@code ttft-threshold}. */
  public String property() {
    return property;
  }

  public Indicator indicator() {
    return indicator;
  }

  /** {@link Duration} for thresholds, {@link Double} for targets and maxima. */
  public Class<?> type() {
    return type;
  }
}
