package dev.tierscope.core.classes;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A traffic class of the closed, configured set, with its objectives.
 *
 * @param name lowercase identifier, such as {@code interactive_premium}
 * @param objectives what the class promises on the four SLIs
 * @param components objectives on TTFT components (edge, mesh, model, model queue); most classes
 *     have none
 * @param sources where each objective was configured; an indicator without an entry has the default
 *     source
 * @param timeWindows rolling error-budget window of an objective, where the spec file gives one
 */
public record TrafficClass(
    String name,
    ClassObjectives objectives,
    Map<Indicator, LatencyObjective> components,
    Map<Indicator, ObjectiveSource> sources,
    Map<Indicator, Duration> timeWindows) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  public TrafficClass {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "traffic class name must match " + NAME.pattern() + ", was '" + name + "'");
    }
    if (objectives == null) {
      throw new IllegalArgumentException("traffic class " + name + " needs objectives");
    }
    components = copy(components);
    for (Indicator i : components.keySet()) {
      if (!i.component()) {
        throw new IllegalArgumentException(i.id() + " is not a TTFT component");
      }
    }
    sources = copy(sources);
    timeWindows = copy(timeWindows);
  }

  /** A class with the four SLI objectives only, all from the defaults. */
  public TrafficClass(String name, ClassObjectives objectives) {
    this(name, objectives, Map.of(), Map.of(), Map.of());
  }

  /** The pattern class names follow. */
  public static Pattern namePattern() {
    return NAME;
  }

  /** Where the objective on this indicator was configured. */
  public ObjectiveSource source(Indicator indicator) {
    return sources.getOrDefault(indicator, ObjectiveSource.DEFAULT);
  }

  /** The objective's own error-budget window, or null for the configured default. */
  public Duration timeWindow(Indicator indicator) {
    return timeWindows.get(indicator);
  }

  private static <V> Map<Indicator, V> copy(Map<Indicator, V> m) {
    if (m == null || m.isEmpty()) {
      return Map.of();
    }
    return java.util.Collections.unmodifiableMap(new EnumMap<>(m));
  }
}
