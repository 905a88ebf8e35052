package dev.tierscope.core.classes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The closed set of traffic classes, and how a reported class value maps onto it.
 *
 * <p>Why closed: every class is a set of series in the store and on dashboards, so a typo in a
 * service must not create a new one. A value outside the set is mapped through the configured
 * aliases, else to the fallback class, and reported as unknown so that it can be counted.
 *
 * <pre>{@code
 * TrafficClasses classes = TrafficClasses.defaults();
 * TrafficClasses.Resolution r = classes.resolve("premium-typo");
 * r.className();   // "standard_interactive"
 * r.unknown();     // true
 * }</pre>
 */
public final class TrafficClasses {

  /** How a reported value was mapped: the class it counts in, and whether it was unknown. */
  public record Resolution(String className, boolean unknown) {}

  private final Map<String, TrafficClass> byName;
  private final Map<String, String> aliases;
  private final String fallback;
  private final ClassRules rules;

  /**
   * @param classes the closed set, in display order
   * @param aliases reported value -> class name, for values services send that are not class names
   * @param fallback class of requests that report no class or an unknown one
   */
  public TrafficClasses(List<TrafficClass> classes, Map<String, String> aliases, String fallback) {
    this(classes, aliases, fallback, ClassRules.NONE);
  }

  /**
   * @param classes the closed set, in display order
   * @param aliases reported value -> class name, for values services send that are not class names
   * @param fallback class of requests that report no class, or an unknown one, and match no rule
   * @param rules class rules for requests whose spans name no class
   */
  public TrafficClasses(
      List<TrafficClass> classes, Map<String, String> aliases, String fallback, ClassRules rules) {
    if (classes == null || classes.isEmpty()) {
      throw new IllegalArgumentException("at least one traffic class must be configured");
    }
    Map<String, TrafficClass> map = new LinkedHashMap<>();
    for (TrafficClass c : classes) {
      if (map.put(c.name(), c) != null) {
        throw new IllegalArgumentException("traffic class " + c.name() + " is configured twice");
      }
    }
    if (!map.containsKey(fallback)) {
      throw new IllegalArgumentException(
          "fallback class '" + fallback + "' is not one of the configured classes " + map.keySet());
    }
    Map<String, String> a = new LinkedHashMap<>();
    if (aliases != null) {
      aliases.forEach(
          (value, target) -> {
            if (!map.containsKey(target)) {
              throw new IllegalArgumentException(
                  "class alias '" + value + "' points to unknown class '" + target + "'");
            }
            a.put(value, target);
          });
    }
    this.byName = Collections.unmodifiableMap(map);
    this.aliases = Collections.unmodifiableMap(a);
    this.fallback = fallback;
    this.rules = rules == null ? ClassRules.NONE : rules;
    for (ClassRule r : this.rules.all()) {
      if (!map.containsKey(r.className())) {
        throw new IllegalArgumentException(
            "class rule '" + r.name() + "' names unknown class '" + r.className() + "'");
      }
    }
  }

  /**
   * The three default classes and their objectives (docs/slo-spec.md, "A complete example"),
   * fallback {@code standard_interactive}.
   */
  public static TrafficClasses defaults() {
    return new TrafficClasses(defaultClasses(), Map.of(), "standard_interactive");
  }

  /** The three default classes with their default objectives. */
  public static List<TrafficClass> defaultClasses() {
    List<TrafficClass> list = new ArrayList<>();
    list.add(
        new TrafficClass(
            "interactive_premium",
            new ClassObjectives(
                Duration.ofMillis(800), 0.95, 0.005, Duration.ofSeconds(3), 0.95, 0.02)));
    list.add(
        new TrafficClass(
            "standard_interactive",
            new ClassObjectives(
                Duration.ofMillis(1500), 0.95, 0.01, Duration.ofSeconds(6), 0.95, 0.05)));
    list.add(
        new TrafficClass(
            "deferred_batch",
            new ClassObjectives(
                Duration.ofSeconds(30), 0.95, 0.02, Duration.ofSeconds(60), 0.95, 0.10)));
    return list;
  }

  /**
   * Maps a reported class value onto the closed set.
   *
   * @param reported the value of {@code tierscope.class}, or null when absent
   */
  public Resolution resolve(String reported) {
    if (reported == null || reported.isEmpty()) {
      return new Resolution(fallback, false);
    }
    if (byName.containsKey(reported)) {
      return new Resolution(reported, false);
    }
    String alias = aliases.get(reported);
    if (alias != null) {
      return new Resolution(alias, false);
    }
    return new Resolution(fallback, true);
  }

  /** True when {@code name} is one of the configured classes (aliases are not names). */
  public boolean contains(String name) {
    return name != null && byName.containsKey(name);
  }

  /** The class with this name, or null. */
  public TrafficClass get(String name) {
    return byName.get(name);
  }

  /** All classes in configuration order. */
  public List<TrafficClass> all() {
    return List.copyOf(byName.values());
  }

  /** The class rules, applied to a request's root span when no span names a class. */
  public ClassRules rules() {
    return rules;
  }

  /** The class of requests that report none or an unknown one. */
  public String fallback() {
    return fallback;
  }
}
