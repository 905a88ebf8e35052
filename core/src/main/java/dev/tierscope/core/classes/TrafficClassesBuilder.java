package dev.tierscope.core.classes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds the closed set of classes from its three sources: the defaults ({@link
 * TrafficClasses#defaults()}), properties ({@code tierscope.classes.*}) and a spec file ({@link
 * SloSpec}), remembering where each objective came from.
 *
 * <p>Why one builder for all sources: the deployables and the {@code validate} command must reach
 * the same verdict on the same input, and an objective set in two places (the reviewed file and a
 * property) must be refused rather than silently resolved one way. Every problem is collected, so
 * one run shows all of them.
 *
 * <pre>{@code
 * TrafficClasses classes =
 *     new TrafficClassesBuilder()
 *         .property("interactive_premium", ObjectiveField.TTFT_TARGET, 0.99,
 *             "tierscope.classes.objectives.interactive_premium.ttft-target")
 *         .spec(SloSpecReader.read(path))
 *         .build("tierscope.classes");
 * }</pre>
 */
public final class TrafficClassesBuilder {

  /** The fallback class when neither a property nor the file names one. */
  public static final String DEFAULT_FALLBACK = "standard_interactive";

  private final Map<String, Draft> drafts = new LinkedHashMap<>();
  private final List<SpecProblem> problems = new ArrayList<>();
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private final Map<String, String> aliasProperties = new HashMap<>();
  private String fallbackProperty;
  private String fallbackPropertyName;
  private SloSpec spec;

  /** Starts from the three default classes and their default objectives. */
  public TrafficClassesBuilder() {
    for (TrafficClass c : TrafficClasses.defaultClasses()) {
      Draft d = new Draft(c.name(), ObjectiveSource.DEFAULT);
      ClassObjectives o = c.objectives();
      d.values.put(ObjectiveField.TTFT_THRESHOLD, o.ttftThreshold());
      d.values.put(ObjectiveField.TTFT_TARGET, o.ttftTarget());
      d.values.put(ObjectiveField.MAX_INTERRUPTION_RATE, o.maxInterruptionRate());
      d.values.put(ObjectiveField.TOOLCHAIN_THRESHOLD, o.toolchainThreshold());
      d.values.put(ObjectiveField.TOOLCHAIN_TARGET, o.toolchainTarget());
      d.values.put(ObjectiveField.MAX_FALLBACK_RATIO, o.maxFallbackRatio());
      drafts.put(c.name(), d);
    }
  }

  /**
   * One objective number set by a property; an unknown class becomes a new class, which must then
   * get all six.
   *
   * @param value a {@link Duration} for thresholds, a {@link Double} otherwise
   * @param property the property's full name, shown as the source
   */
  public TrafficClassesBuilder property(
      String className, ObjectiveField field, Object value, String property) {
    if (!field.type().isInstance(value)) {
      throw new IllegalArgumentException(property + " must be a " + field.type().getSimpleName());
    }
    Draft d = draft(className, ObjectiveSource.properties(List.of(property)));
    if (d == null) {
      return this;
    }
    d.values.put(field, value);
    d.propertyOf.put(field, property);
    return this;
  }

  /** Reported value -> class name ({@code tierscope.classes.aliases.*}). */
  public TrafficClassesBuilder alias(String value, String className, String property) {
    aliases.put(value, className);
    aliasProperties.put(value, property);
    return this;
  }

  /** The fallback class set by a property, or null when the property is not set. */
  public TrafficClassesBuilder fallbackProperty(String className, String property) {
    this.fallbackProperty = className == null || className.isBlank() ? null : className.trim();
    this.fallbackPropertyName = property;
    return this;
  }

  /** The objectives, rules and fallback of a spec file. */
  public TrafficClassesBuilder spec(SloSpec spec) {
    if (this.spec != null) {
      throw new IllegalStateException("one spec file only");
    }
    this.spec = spec;
    return this;
  }

  /**
   * The classes, or every problem found.
   *
   * @param subject what is invalid when something is, e.g. the file name, for the message
   * @throws SloSpecException listing every problem
   */
  public TrafficClasses build(String subject) {
    if (spec != null) {
      for (SpecObjective o : spec.objectives()) {
        applyFileObjective(o);
      }
    }
    List<TrafficClass> classes = new ArrayList<>();
    for (Draft d : drafts.values()) {
      TrafficClass c = finish(d);
      if (c != null) {
        classes.add(c);
      }
    }
    String fallback = resolveFallback();
    List<ClassRule> rules = checkRules();
    for (Map.Entry<String, String> a : aliases.entrySet()) {
      if (!drafts.containsKey(a.getValue())) {
        problems.add(
            SpecProblem.at(
                ObjectiveSource.properties(List.of(aliasProperties.get(a.getKey()))),
                "alias '" + a.getKey() + "' points to unknown class '" + a.getValue() + "'"));
      }
    }
    if (!problems.isEmpty()) {
      List<SpecProblem> sorted = new ArrayList<>(problems);
      sorted.sort(
          Comparator.comparing((SpecProblem p) -> p.line() == 0 ? 1 : 0)
              .thenComparingInt(SpecProblem::line)
              .thenComparingInt(SpecProblem::column));
      throw new SloSpecException(subject, sorted);
    }
    return new TrafficClasses(classes, aliases, fallback, new ClassRules(rules));
  }

  private void applyFileObjective(SpecObjective o) {
    Draft d = draft(o.className(), o.source());
    if (d == null) {
      return;
    }
    Indicator ind = o.indicator();
    SpecObjective earlier = d.fromFile.get(ind);
    if (earlier != null) {
      problems.add(
          SpecProblem.at(
              o.source(),
              "class "
                  + o.className()
                  + " already has a "
                  + ind.id()
                  + " objective (SLO '"
                  + earlier.sloName()
                  + "' at "
                  + earlier.source().describe()
                  + "); give each class one SLO per indicator"));
      return;
    }
    d.fromFile.put(ind, o);
    if (o.timeWindow() != null) {
      d.windows.put(ind, o.timeWindow());
    }
    if (ind.component()) {
      d.components.put(ind, new LatencyObjective(o.threshold(), o.target()));
      return;
    }
    StringJoiner clash = new StringJoiner(", ");
    for (ObjectiveField f : ObjectiveField.values()) {
      if (f.indicator() == ind && d.propertyOf.containsKey(f)) {
        clash.add(d.propertyOf.get(f));
      }
    }
    if (clash.length() > 0) {
      problems.add(
          SpecProblem.at(
              o.source(),
              "the "
                  + ind.id()
                  + " objective of class "
                  + o.className()
                  + " is also set by property "
                  + clash
                  + "; set it in one place (remove the property, or this SLO)"));
      return;
    }
    switch (ind) {
      case TTFT -> {
        d.values.put(ObjectiveField.TTFT_THRESHOLD, o.threshold());
        d.values.put(ObjectiveField.TTFT_TARGET, o.target());
      }
      case TOOLCHAIN_LATENCY -> {
        d.values.put(ObjectiveField.TOOLCHAIN_THRESHOLD, o.threshold());
        d.values.put(ObjectiveField.TOOLCHAIN_TARGET, o.target());
      }
      case STREAM_INTERRUPTION -> d.values.put(ObjectiveField.MAX_INTERRUPTION_RATE, bad(o));
      case RETRIEVAL_FALLBACK -> d.values.put(ObjectiveField.MAX_FALLBACK_RATIO, bad(o));
      default -> throw new IllegalStateException("not an SLI: " + ind);
    }
  }

  /** 1 - target, rounded to 12 decimals so that 0.995 reads back as a 0.005 maximum. */
  private static double bad(SpecObjective o) {
    return Math.round((1.0 - o.target()) * 1e12) / 1e12;
  }

  private Draft draft(String className, ObjectiveSource mention) {
    Draft d = drafts.get(className);
    if (d != null) {
      return d;
    }
    if (className == null || !TrafficClass.namePattern().matcher(className).matches()) {
      problems.add(
          SpecProblem.at(
              mention,
              "class name must match "
                  + TrafficClass.namePattern().pattern()
                  + ", was '"
                  + className
                  + "'"));
      return null;
    }
    d = new Draft(className, mention);
    drafts.put(className, d);
    return d;
  }

  private TrafficClass finish(Draft d) {
    StringJoiner missing = new StringJoiner(", ");
    for (Indicator i : Indicator.values()) {
      if (i.component()) {
        continue;
      }
      boolean complete = true;
      for (ObjectiveField f : ObjectiveField.values()) {
        if (f.indicator() == i && !d.values.containsKey(f)) {
          complete = false;
        }
      }
      if (!complete) {
        missing.add(i.id());
      }
    }
    if (missing.length() > 0) {
      problems.add(
          SpecProblem.at(
              d.firstMention,
              "class "
                  + d.name
                  + " is not a default class, so it needs an objective on each of the four SLIs"
                  + " (ttft, stream_interruption, toolchain_latency, retrieval_fallback); missing: "
                  + missing));
      return null;
    }
    ClassObjectives objectives;
    try {
      objectives =
          new ClassObjectives(
              (Duration) d.values.get(ObjectiveField.TTFT_THRESHOLD),
              (Double) d.values.get(ObjectiveField.TTFT_TARGET),
              (Double) d.values.get(ObjectiveField.MAX_INTERRUPTION_RATE),
              (Duration) d.values.get(ObjectiveField.TOOLCHAIN_THRESHOLD),
              (Double) d.values.get(ObjectiveField.TOOLCHAIN_TARGET),
              (Double) d.values.get(ObjectiveField.MAX_FALLBACK_RATIO));
    } catch (IllegalArgumentException e) {
      ObjectiveSource at =
          d.propertyOf.isEmpty()
              ? d.firstMention
              : ObjectiveSource.properties(new ArrayList<>(d.propertyOf.values()));
      problems.add(SpecProblem.at(at, "class " + d.name + ": " + e.getMessage()));
      return null;
    }
    Map<Indicator, ObjectiveSource> sources = new EnumMap<>(Indicator.class);
    for (Indicator i : Indicator.values()) {
      SpecObjective file = d.fromFile.get(i);
      if (file != null) {
        sources.put(i, file.source());
        continue;
      }
      List<String> props = new ArrayList<>();
      for (ObjectiveField f : ObjectiveField.values()) {
        if (f.indicator() == i && d.propertyOf.containsKey(f)) {
          props.add(d.propertyOf.get(f));
        }
      }
      if (!props.isEmpty()) {
        sources.put(i, ObjectiveSource.properties(props));
      }
    }
    return new TrafficClass(d.name, objectives, d.components, sources, d.windows);
  }

  private String resolveFallback() {
    String fromFile = spec == null ? null : spec.fallback();
    if (fromFile != null && fallbackProperty != null) {
      problems.add(
          SpecProblem.at(
              spec.fallbackSource(),
              "the fallback class is also set by property "
                  + fallbackPropertyName
                  + "; set it in one place"));
    }
    String fallback =
        fromFile != null
            ? fromFile
            : fallbackProperty != null ? fallbackProperty : DEFAULT_FALLBACK;
    if (!drafts.containsKey(fallback)) {
      ObjectiveSource at =
          fromFile != null
              ? spec.fallbackSource()
              : ObjectiveSource.properties(List.of(String.valueOf(fallbackPropertyName)));
      problems.add(
          SpecProblem.at(
              at,
              "fallback class '" + fallback + "' is not one of the classes " + drafts.keySet()));
    }
    return fallback;
  }

  private List<ClassRule> checkRules() {
    List<ClassRule> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    Map<String, ClassRule> byName = new HashMap<>();
    for (ClassRule r : spec.rules()) {
      ClassRule earlier = byName.putIfAbsent(r.name(), r);
      if (earlier != null) {
        problems.add(
            SpecProblem.at(
                r.source(),
                "class rule '"
                    + r.name()
                    + "' is already defined at "
                    + earlier.source().describe()
                    + "; rule names must be unique"));
        continue;
      }
      if (!drafts.containsKey(r.className())) {
        problems.add(
            SpecProblem.at(
                r.source(),
                "class rule '"
                    + r.name()
                    + "' assigns unknown class '"
                    + r.className()
                    + "'; classes are "
                    + drafts.keySet()));
        continue;
      }
      out.add(r);
    }
    return out;
  }

  /** The state of one class while sources are applied. */
  private static final class Draft {
    final String name;
    final ObjectiveSource firstMention;
    final Map<ObjectiveField, Object> values = new EnumMap<>(ObjectiveField.class);
    final Map<ObjectiveField, String> propertyOf = new EnumMap<>(ObjectiveField.class);
    final Map<Indicator, SpecObjective> fromFile = new EnumMap<>(Indicator.class);
    final Map<Indicator, LatencyObjective> components = new EnumMap<>(Indicator.class);
    final Map<Indicator, Duration> windows = new EnumMap<>(Indicator.class);

    Draft(String name, ObjectiveSource firstMention) {
      this.name = name;
      this.firstMention = firstMention;
    }
  }
}
