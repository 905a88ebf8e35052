package dev.tierscope.slospec;

import dev.tierscope.core.classes.AttributeCondition;
import dev.tierscope.core.classes.ClassRule;
import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.classes.ObjectiveSource;
import dev.tierscope.core.classes.SloSpec;
import dev.tierscope.core.classes.SloSpecException;
import dev.tierscope.core.classes.SpecObjective;
import dev.tierscope.core.classes.SpecProblem;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.classes.TrafficClassesBuilder;
import dev.tierscope.core.span.Span;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads an SLO spec file: OpenSLO v1 {@code SLO} and {@code SLI} objects for the classes'
 * objectives, and one Tierscope {@code ClassRules} object (the extension block) for the class rules
 * and the fallback class.
 *
 * <p>Why strict: a spec file is reviewed like code, so whatever it says must take effect or be
 * refused. Every OpenSLO construct Tierscope cannot honour (other kinds, data sources, composite
 * SLOs, time slices, calendar windows, alert policies) is refused with the reason, and every
 * problem is reported with its line and column, all of them in one run, never only the first.
 *
 * <pre>{@code
 * SloSpec spec = SloSpecReader.read(Path.of("tierscope-slo.yaml")); // or SloSpecException
 * TrafficClasses classes = new TrafficClassesBuilder().spec(spec).build("tierscope-slo.yaml");
 * }</pre>
 *
 * The format is described in {@code docs/slo-spec.md}.
 */
public final class SloSpecReader {

  /** The OpenSLO version read. */
  public static final String OPENSLO_V1 = "openslo/v1";

  /** The version of Tierscope's extension objects. */
  public static final String TIERSCOPE_V1 = "tierscope.dev/v1";

  /** {@code metricSource.type} of every indicator. */
  public static final String SOURCE_TYPE = "Tierscope";

  private static final Pattern RFC1123 = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})([a-zA-Z])");
  private static final int MAX_DESCRIPTION = 1050;

  private static final Set<String> OBJECT = keys("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA = keys("name", "displayName", "labels", "annotations");
  private static final Set<String> SLO_SPEC =
      keys(
          "description",
          "service",
          "indicator",
          "indicatorRef",
          "timeWindow",
          "budgetingMethod",
          "objectives",
          "alertPolicies");
  private static final Set<String> SLI_SPEC = keys("description", "thresholdMetric", "ratioMetric");
  private static final Set<String> INLINE_SLI = keys("metadata", "spec");
  private static final Set<String> THRESHOLD_METRIC = keys("metricSource");
  private static final Set<String> RATIO_METRIC =
      keys("counter", "good", "bad", "total", "rawType", "raw");
  private static final Set<String> RAW = keys("metricSource");
  private static final Set<String> METRIC_SOURCE = keys("metricSourceRef", "type", "spec");
  private static final Set<String> METRIC_SOURCE_SPEC = keys("sli");
  private static final Set<String> TIME_WINDOW = keys("duration", "isRolling", "calendar");
  private static final Set<String> OBJECTIVE =
      keys(
          "displayName",
          "op",
          "value",
          "target",
          "targetPercent",
          "timeSliceTarget",
          "timeSliceWindow",
          "indicator",
          "indicatorRef",
          "compositeWeight");
  private static final Set<String> RULES_SPEC = keys("fallback", "rules");
  private static final Set<String> RULE = keys("name", "class", "match");
  private static final Set<String> CONDITION = keys("attribute", "equals", "prefix", "regex");

  /** Keys in the order messages list them. */
  private static Set<String> keys(String... keys) {
    return java.util.Collections.unmodifiableSet(
        new java.util.LinkedHashSet<>(java.util.Arrays.asList(keys)));
  }

  private final Yaml yaml;
  private final Map<String, Yaml.Fields> sliObjects = new LinkedHashMap<>();
  private final Map<String, Node> names = new LinkedHashMap<>();
  private final List<SloObject> sloObjects = new ArrayList<>();
  private final List<SpecObjective> objectives = new ArrayList<>();
  private final List<ClassRule> rules = new ArrayList<>();
  // The distinct attributes the rules read, in order: a root span carries at most
  // Span.MAX_RULE_ATTRIBUTES of them to the aggregator.
  private final Set<String> ruleAttributes = new LinkedHashSet<>();
  private Node classRulesObject;
  private String fallback;
  private ObjectiveSource fallbackSource;

  private SloSpecReader(String file) {
    this.yaml = new Yaml(file);
  }

  /**
   * Reads and checks a spec file on its own (class names, rules' classes and the other checks
   * across objects are {@link TrafficClassesBuilder}'s; {@link #load} does both).
   *
   * @throws SloSpecException with every problem, each with its line and column
   */
  public static SloSpec read(Path file) {
    String text = readText(file);
    return parse(text, file.toString());
  }

  /**
   * Reads and checks a spec given as text.
   *
   * @param file the name used in messages and sources
   * @throws SloSpecException with every problem, each with its line and column
   */
  public static SloSpec parse(String text, String file) {
    SloSpecReader reader = new SloSpecReader(file);
    reader.readAll(text);
    if (!reader.yaml.problems().isEmpty()) {
      throw new SloSpecException(file, sorted(reader.yaml.problems()));
    }
    return reader.spec();
  }

  /**
   * Reads a spec file and builds the classes with it: the file's own problems and those across
   * objects (unknown classes in rules, a new class without all four SLIs, an objective also set by
   * a property) are reported together.
   *
   * @param builder the defaults and properties to combine the file with
   * @throws SloSpecException with every problem
   */
  public static TrafficClasses load(Path file, TrafficClassesBuilder builder) {
    return load(readText(file), file.toString(), builder);
  }

  /** {@link #load(Path, TrafficClassesBuilder)} of a spec given as text. */
  public static TrafficClasses load(String text, String file, TrafficClassesBuilder builder) {
    SloSpecReader reader = new SloSpecReader(file);
    reader.readAll(text);
    List<SpecProblem> problems = new ArrayList<>(reader.yaml.problems());
    TrafficClasses classes = null;
    try {
      // What could be read is checked as a whole too, so one run shows every problem.
      classes = builder.spec(reader.spec()).build(file);
    } catch (SloSpecException e) {
      problems.addAll(e.problems());
    }
    if (!problems.isEmpty()) {
      throw new SloSpecException(file, sorted(problems));
    }
    return classes;
  }

  private SloSpec spec() {
    return new SloSpec(yaml.file(), objectives, rules, fallback, fallbackSource);
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new SloSpecException(
          file.toString(),
          List.of(new SpecProblem(file.toString(), 0, 0, "cannot read the file: " + e)));
    }
  }

  /** File positions in order, then problems without a position (properties). */
  private static List<SpecProblem> sorted(List<SpecProblem> problems) {
    List<SpecProblem> out = new ArrayList<>(problems);
    out.sort(
        java.util.Comparator.comparingInt((SpecProblem p) -> p.line() == 0 ? 1 : 0)
            .thenComparingInt(SpecProblem::line)
            .thenComparingInt(SpecProblem::column));
    return out;
  }

  private void readAll(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by Yaml.fields with their position
    org.yaml.snakeyaml.Yaml parser = new org.yaml.snakeyaml.Yaml(new SafeConstructor(options));
    List<Node> documents = new ArrayList<>();
    try {
      for (Node doc : parser.composeAll(new StringReader(text))) {
        if (doc != null) {
          documents.add(doc);
        }
      }
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String what =
          (e.getContext() == null ? "" : e.getContext() + ": ")
              + (e.getProblem() == null ? "" : e.getProblem());
      yaml.problems()
          .add(
              new SpecProblem(
                  yaml.file(),
                  m == null ? 0 : m.getLine() + 1,
                  m == null ? 0 : m.getColumn() + 1,
                  "not valid YAML: " + what.trim()));
      return;
    } catch (YAMLException e) {
      yaml.problems().add(new SpecProblem(yaml.file(), 0, 0, "not valid YAML: " + e.getMessage()));
      return;
    }
    for (Node doc : documents) {
      readObject(doc);
    }
    for (SloObject slo : sloObjects) {
      readSlo(slo);
    }
    // SLIs no SLO refers to are checked too: a broken one is an error even when unused.
    sliObjects.forEach(
        (name, o) -> {
          Node s = o.get("spec");
          if (s == null) {
            o.require("spec");
          } else {
            readSliSpecOnce(name, s);
          }
        });
    if (documents.isEmpty() || (sloObjects.isEmpty() && classRulesObject == null)) {
      if (yaml.problems().isEmpty()) {
        yaml.problems()
            .add(
                new SpecProblem(
                    yaml.file(),
                    0,
                    0,
                    "the file holds no SLO and no ClassRules object; see docs/slo-spec.md"));
      }
    }
  }

  // ---- objects

  private void readObject(Node doc) {
    Yaml.Fields o = yaml.fields(doc, "object", OBJECT);
    if (o == null) {
      return;
    }
    String apiVersion = o.requireText("apiVersion");
    String kind = o.requireText("kind");
    if (apiVersion == null || kind == null) {
      return;
    }
    if (OPENSLO_V1.equals(apiVersion)) {
      switch (kind) {
        case "SLO" -> {
          String name = named(o, "SLO");
          if (name != null) {
            sloObjects.add(new SloObject(doc, o, name));
          }
        }
        case "SLI" -> {
          String name = named(o, "SLI");
          if (name != null) {
            sliObjects.putIfAbsent(name, o);
          }
        }
        case "DataSource" ->
            yaml.problem(
                o.get("kind"),
                "kind DataSource is not supported: Tierscope is the only data source of its"
                    + " SLIs (write metricSource.type: "
                    + SOURCE_TYPE
                    + " in the SLI instead)");
        case "AlertPolicy", "AlertCondition", "AlertNotificationTarget" ->
            yaml.problem(
                o.get("kind"),
                "kind "
                    + kind
                    + " is not supported: Tierscope computes the SRE workbook's multi-window"
                    + " burn-rate alerts for every objective itself (GET /api/v1/alerts); remove"
                    + " the object");
        case "Service" ->
            yaml.problem(
                o.get("kind"),
                "kind Service is not supported: a class is named by spec.service of its SLOs and"
                    + " needs no Service object; remove it");
        default ->
            yaml.problem(
                o.get("kind"),
                "unknown kind '" + kind + "' for " + OPENSLO_V1 + "; Tierscope reads SLO and SLI");
      }
      return;
    }
    if (TIERSCOPE_V1.equals(apiVersion)) {
      if (!"ClassRules".equals(kind)) {
        yaml.problem(
            o.get("kind"),
            "unknown kind '"
                + kind
                + "' for "
                + TIERSCOPE_V1
                + "; the extension kind is ClassRules");
        return;
      }
      if (classRulesObject != null) {
        yaml.problem(
            o.get("kind"),
            "a second ClassRules object; the file holds one (the first is at line "
                + (classRulesObject.getStartMark().getLine() + 1)
                + ")");
        return;
      }
      classRulesObject = doc;
      named(o, "ClassRules");
      readClassRules(o);
      return;
    }
    if (apiVersion.startsWith("openslo/")) {
      yaml.problem(
          o.get("apiVersion"),
          "apiVersion '" + apiVersion + "' is not supported; Tierscope reads " + OPENSLO_V1);
    } else {
      yaml.problem(
          o.get("apiVersion"),
          "unknown apiVersion '"
              + apiVersion
              + "'; use "
              + OPENSLO_V1
              + " (SLO, SLI) or "
              + TIERSCOPE_V1
              + " (ClassRules)");
    }
  }

  /** Checks metadata and the name's uniqueness per kind; the name, or null. */
  private String named(Yaml.Fields o, String kind) {
    Node metaNode = o.require("metadata");
    if (metaNode == null) {
      return null;
    }
    Yaml.Fields meta = yaml.fields(metaNode, kind + " metadata", METADATA);
    if (meta == null) {
      return null;
    }
    String name = meta.requireText("name");
    if (name == null) {
      return null;
    }
    if (!RFC1123.matcher(name).matches()) {
      yaml.problem(
          meta.get("name"),
          "metadata.name '"
              + name
              + "' must be lowercase letters, digits and '-', start and end with a letter or"
              + " digit, at most 63 characters (RFC 1123)");
      // read on all the same, so that the object's other problems are reported too
    }
    checkOptionalMapping(meta, "labels");
    checkOptionalMapping(meta, "annotations");
    meta.optionalText("displayName");
    Node earlier = names.putIfAbsent(kind + "/" + name, meta.get("name"));
    if (earlier != null) {
      yaml.problem(
          meta.get("name"),
          kind
              + " '"
              + name
              + "' is defined twice (first at line "
              + (earlier.getStartMark().getLine() + 1)
              + "); names are unique per kind");
    }
    return name;
  }

  private void checkOptionalMapping(Yaml.Fields f, String key) {
    Node n = f.get(key);
    if (n != null && !(n instanceof org.yaml.snakeyaml.nodes.MappingNode)) {
      yaml.problem(n, f.what + "." + key + " must be a mapping");
    }
  }

  // ---- SLO

  /** An SLO object whose envelope and metadata are already checked. */
  private record SloObject(Node doc, Yaml.Fields fields, String name) {}

  private void readSlo(SloObject slo) {
    Yaml.Fields o = slo.fields();
    Node doc = slo.doc();
    String name = slo.name();
    Node specNode = o.require("spec");
    if (specNode == null) {
      return;
    }
    Yaml.Fields spec = yaml.fields(specNode, "SLO spec", SLO_SPEC);
    if (spec == null) {
      return;
    }
    description(spec);
    String className = spec.requireText("service");
    if (className != null && !TrafficClass.namePattern().matcher(className).matches()) {
      yaml.problem(
          spec.get("service"),
          "spec.service names the traffic class and must match "
              + TrafficClass.namePattern().pattern()
              + ", was '"
              + className
              + "'");
      className = null;
    }
    if (spec.has("alertPolicies")) {
      yaml.problem(
          spec.key("alertPolicies"),
          "alertPolicies are not supported: Tierscope computes the SRE workbook's multi-window"
              + " burn-rate alerts for every objective itself (GET /api/v1/alerts); remove them");
    }
    String method = spec.requireText("budgetingMethod");
    if (method != null && !"Occurrences".equals(method)) {
      if ("Timeslices".equals(method) || "RatioTimeslices".equals(method)) {
        yaml.problem(
            spec.get("budgetingMethod"),
            "budgetingMethod "
                + method
                + " is not supported: Tierscope counts good and bad events exactly, so budgets"
                + " use Occurrences");
      } else {
        yaml.problem(
            spec.get("budgetingMethod"),
            "budgetingMethod must be Occurrences (Timeslices and RatioTimeslices are OpenSLO's"
                + " other methods, not supported), was '"
                + method
                + "'");
      }
    }
    Indicator indicator = null;
    boolean inline = spec.has("indicator");
    boolean ref = spec.has("indicatorRef");
    if (inline == ref) {
      yaml.problem(
          inline ? spec.key("indicatorRef") : spec.node,
          "SLO spec needs exactly one of 'indicator' (inline SLI) and 'indicatorRef' (the name of"
              + " an SLI object)");
    } else if (inline) {
      Yaml.Fields sli = yaml.fields(spec.get("indicator"), "indicator", INLINE_SLI);
      if (sli != null) {
        Node m = sli.get("metadata");
        if (m != null) {
          Yaml.Fields im = yaml.fields(m, "indicator metadata", METADATA);
          if (im != null) {
            im.optionalText("name");
            im.optionalText("displayName");
          }
        }
        Node s = sli.require("spec");
        indicator = s == null ? null : readSliSpec(s);
      }
    } else {
      String refName = yaml.text(spec.get("indicatorRef"), "indicatorRef");
      if (refName != null) {
        Yaml.Fields sliObject = sliObjects.get(refName);
        if (sliObject == null) {
          yaml.problem(
              spec.get("indicatorRef"),
              "indicatorRef '"
                  + refName
                  + "' names no SLI object in this file"
                  + (sliObjects.isEmpty()
                      ? ""
                      : "; SLIs: " + String.join(", ", sliObjects.keySet())));
        } else {
          Node s = sliObject.require("spec");
          indicator = s == null ? null : readSliSpecOnce(refName, s);
        }
      }
    }
    Duration window = null;
    if (spec.has("timeWindow")) {
      window = timeWindow(spec.get("timeWindow"));
    }
    Node objectivesNode = spec.require("objectives");
    if (objectivesNode == null) {
      return;
    }
    List<Node> items = yaml.list(objectivesNode, "objectives");
    if (items == null) {
      return;
    }
    if (items.size() != 1) {
      yaml.problem(
          objectivesNode,
          "objectives must hold exactly one objective, has "
              + items.size()
              + " (composite SLOs are not supported); write one SLO per class and indicator");
      return;
    }
    Objective objective = objective(items.get(0), indicator);
    if (objective == null || indicator == null || className == null || name == null) {
      return;
    }
    objectives.add(
        new SpecObjective(
            className,
            indicator,
            objective.threshold,
            objective.target,
            window,
            name,
            yaml.source(doc)));
  }

  private void description(Yaml.Fields spec) {
    String d = spec.optionalText("description");
    if (d != null && d.length() > MAX_DESCRIPTION) {
      yaml.problem(
          spec.get("description"),
          "description has " + d.length() + " characters; at most " + MAX_DESCRIPTION);
    }
  }

  // ---- SLI

  private final Map<String, Indicator> sliRead = new LinkedHashMap<>();

  /** An SLI object is read once, however many SLOs refer to it (its problems reported once). */
  private Indicator readSliSpecOnce(String name, Node spec) {
    if (sliRead.containsKey(name)) {
      return sliRead.get(name);
    }
    Indicator i = readSliSpec(spec);
    sliRead.put(name, i);
    return i;
  }

  private Indicator readSliSpec(Node specNode) {
    Yaml.Fields spec = yaml.fields(specNode, "SLI spec", SLI_SPEC);
    if (spec == null) {
      return null;
    }
    description(spec);
    boolean threshold = spec.has("thresholdMetric");
    boolean ratio = spec.has("ratioMetric");
    if (threshold == ratio) {
      yaml.problem(
          spec.node,
          "SLI spec needs exactly one of thresholdMetric (latency: "
              + Indicator.ids(Indicator.Shape.LATENCY)
              + ") and ratioMetric ("
              + Indicator.ids(Indicator.Shape.FAILURE_RATIO)
              + ")");
      return null;
    }
    if (threshold) {
      Yaml.Fields tm =
          yaml.fields(spec.get("thresholdMetric"), "thresholdMetric", THRESHOLD_METRIC);
      if (tm == null) {
        return null;
      }
      Node source = tm.require("metricSource");
      Indicator i = source == null ? null : metricSource(source);
      if (i != null && i.shape() != Indicator.Shape.LATENCY) {
        yaml.problem(
            source,
            i.id()
                + " is a share of bad events, not a latency: write it as ratioMetric with"
                + " rawType: failure and raw.metricSource");
        return null;
      }
      return i;
    }
    Yaml.Fields rm = yaml.fields(spec.get("ratioMetric"), "ratioMetric", RATIO_METRIC);
    if (rm == null) {
      return null;
    }
    for (String k : List.of("good", "bad", "total")) {
      if (rm.has(k)) {
        yaml.problem(
            rm.key(k),
            "ratioMetric."
                + k
                + " is not supported: Tierscope counts good and total events itself; write"
                + " rawType: failure and raw.metricSource naming the SLI");
        return null;
      }
    }
    if (rm.has("counter")) {
      yaml.bool(rm.get("counter"), "ratioMetric.counter");
    }
    String rawType = rm.requireText("rawType");
    if (rawType != null && !"failure".equals(rawType)) {
      yaml.problem(
          rm.get("rawType"),
          "rawType must be failure: "
              + Indicator.ids(Indicator.Shape.FAILURE_RATIO)
              + " are shares of bad events, was '"
              + rawType
              + "'");
    }
    Node rawNode = rm.require("raw");
    if (rawNode == null) {
      return null;
    }
    Yaml.Fields raw = yaml.fields(rawNode, "ratioMetric.raw", RAW);
    if (raw == null) {
      return null;
    }
    Node source = raw.require("metricSource");
    Indicator i = source == null ? null : metricSource(source);
    if (i != null && i.shape() != Indicator.Shape.FAILURE_RATIO) {
      yaml.problem(
          source,
          i.id() + " is a latency: write it as thresholdMetric with an objective op: lte, value");
      return null;
    }
    return i;
  }

  private Indicator metricSource(Node node) {
    Yaml.Fields ms = yaml.fields(node, "metricSource", METRIC_SOURCE);
    if (ms == null) {
      return null;
    }
    if (ms.has("metricSourceRef")) {
      yaml.problem(
          ms.key("metricSourceRef"),
          "metricSourceRef is not supported: DataSource objects are not, Tierscope is the only"
              + " data source; write type: "
              + SOURCE_TYPE);
      return null;
    }
    String type = ms.requireText("type");
    if (type != null && !SOURCE_TYPE.equals(type)) {
      yaml.problem(
          ms.get("type"), "metricSource.type must be " + SOURCE_TYPE + ", was '" + type + "'");
      return null;
    }
    Node specNode = ms.require("spec");
    if (specNode == null) {
      return null;
    }
    Yaml.Fields spec = yaml.fields(specNode, "metricSource.spec", METRIC_SOURCE_SPEC);
    if (spec == null) {
      return null;
    }
    String sli = spec.requireText("sli");
    if (sli == null) {
      return null;
    }
    Indicator i = Indicator.fromId(sli);
    if (i == null) {
      yaml.problem(
          spec.get("sli"),
          "unknown SLI '"
              + sli
              + "'; Tierscope measures "
              + Indicator.ids(Indicator.Shape.LATENCY)
              + " (latencies, thresholdMetric) and "
              + Indicator.ids(Indicator.Shape.FAILURE_RATIO)
              + " (shares of bad events, ratioMetric)");
    }
    return i;
  }

  // ---- objective and window

  private record Objective(Duration threshold, double target) {}

  private Objective objective(Node node, Indicator indicator) {
    Yaml.Fields o = yaml.fields(node, "objective", OBJECTIVE);
    if (o == null) {
      return null;
    }
    o.optionalText("displayName");
    boolean ok = true;
    for (String k : List.of("timeSliceTarget", "timeSliceWindow")) {
      if (o.has(k)) {
        yaml.problem(
            o.key(k),
            k
                + " is not supported: budgets use Occurrences (good and bad events), not time slices");
        ok = false;
      }
    }
    for (String k : List.of("indicator", "indicatorRef", "compositeWeight")) {
      if (o.has(k)) {
        yaml.problem(
            o.key(k),
            "objectives[]."
                + k
                + " is not supported (composite SLOs are not); give the indicator in the SLO's"
                + " spec, one SLO per class and indicator");
        ok = false;
      }
    }
    double target = Double.NaN;
    boolean t = o.has("target");
    boolean tp = o.has("targetPercent");
    if (t == tp) {
      yaml.problem(o.node, "objective needs exactly one of target and targetPercent");
      ok = false;
    } else if (t) {
      target = yaml.number(o.get("target"), "target");
      if (!Double.isNaN(target) && !(target > 0 && target < 1)) {
        yaml.problem(o.get("target"), "target must lie in (0, 1), was " + text(o.get("target")));
        ok = false;
      }
    } else {
      double p = yaml.number(o.get("targetPercent"), "targetPercent");
      if (!Double.isNaN(p) && !(p > 0 && p < 100)) {
        yaml.problem(
            o.get("targetPercent"),
            "targetPercent must lie in (0, 100), was " + text(o.get("targetPercent")));
        ok = false;
      }
      target = p / 100.0;
    }
    if (Double.isNaN(target)) {
      ok = false;
    }
    Duration threshold = null;
    if (indicator != null && indicator.shape() == Indicator.Shape.LATENCY) {
      String op = o.requireText("op");
      if (op != null && !"lte".equals(op)) {
        yaml.problem(
            o.get("op"),
            "op must be lte: a latency objective counts events at or under its threshold, was '"
                + op
                + "'");
        ok = false;
      }
      Node v = o.require("value");
      if (v == null) {
        ok = false;
      } else {
        double ms = yaml.number(v, "value");
        if (Double.isNaN(ms)) {
          ok = false;
        } else if (!(ms > 0) || ms > 86_400_000) {
          yaml.problem(
              v, "value is the threshold in milliseconds, above 0 and at most one day, was " + ms);
          ok = false;
        } else {
          threshold = Duration.ofNanos(Math.round(ms * 1e6));
          if (threshold.toNanos() < 1_000) {
            yaml.problem(v, "value must be at least 0.001 ms (1 microsecond), was " + ms);
            ok = false;
          }
        }
      }
    } else if (indicator != null) {
      for (String k : List.of("op", "value")) {
        if (o.has(k)) {
          yaml.problem(
              o.key(k),
              k
                  + " does not apply to "
                  + indicator.id()
                  + ": its objective is only the target share of good events");
          ok = false;
        }
      }
    }
    return ok ? new Objective(threshold, target) : null;
  }

  private static String text(Node n) {
    return n instanceof ScalarNode s ? s.getValue() : String.valueOf(n);
  }

  private Duration timeWindow(Node node) {
    List<Node> items = yaml.list(node, "timeWindow");
    if (items == null) {
      return null;
    }
    if (items.size() != 1) {
      yaml.problem(node, "timeWindow must hold exactly one item, has " + items.size());
      return null;
    }
    Yaml.Fields w = yaml.fields(items.get(0), "timeWindow item", TIME_WINDOW);
    if (w == null) {
      return null;
    }
    if (w.has("calendar")) {
      yaml.problem(
          w.key("calendar"),
          "calendar-aligned time windows are not supported: error budgets are rolling; write"
              + " isRolling: true");
      return null;
    }
    if (w.has("isRolling") && Boolean.FALSE.equals(yaml.bool(w.get("isRolling"), "isRolling"))) {
      yaml.problem(
          w.get("isRolling"),
          "isRolling: false (a calendar-aligned window) is not supported: error budgets are"
              + " rolling");
      return null;
    }
    String d = w.requireText("duration");
    return d == null ? null : duration(w.get("duration"), d);
  }

  private Duration duration(Node at, String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      yaml.problem(
          at,
          "duration must be a whole number and a unit (m, h, d, w), e.g. 28d, was '" + text + "'");
      return null;
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          case "w" -> Duration.ofDays(7 * n);
          default -> null;
        };
    if (d == null) {
      String unit = m.group(2);
      yaml.problem(
          at,
          "M".equals(unit) || "Q".equals(unit) || "Y".equals(unit)
              ? "duration unit "
                  + unit
                  + " is not supported: months, quarters and years differ in length; give days"
                  + " or weeks, e.g. 30d"
              : "duration unit must be m, h, d or w, was '" + unit + "'");
      return null;
    }
    if (d.compareTo(Duration.ofMinutes(5)) < 0 || d.compareTo(Duration.ofDays(400)) > 0) {
      yaml.problem(at, "time window must lie between 5m and 400d, was " + text);
      return null;
    }
    return d;
  }

  // ---- class rules (the extension block)

  private void readClassRules(Yaml.Fields object) {
    Node specNode = object.require("spec");
    if (specNode == null) {
      return;
    }
    Yaml.Fields spec = yaml.fields(specNode, "ClassRules spec", RULES_SPEC);
    if (spec == null) {
      return;
    }
    if (spec.has("fallback")) {
      String f = yaml.text(spec.get("fallback"), "fallback");
      if (f != null) {
        fallback = f;
        fallbackSource = yaml.source(spec.get("fallback"));
      }
    }
    Node rulesNode = spec.get("rules");
    if (rulesNode == null) {
      return;
    }
    List<Node> items = yaml.list(rulesNode, "rules");
    if (items == null) {
      return;
    }
    for (Node item : items) {
      ClassRule r = rule(item);
      if (r != null) {
        rules.add(r);
      }
    }
  }

  private ClassRule rule(Node node) {
    Yaml.Fields r = yaml.fields(node, "rule", RULE);
    if (r == null) {
      return null;
    }
    String name = r.requireText("name");
    if (name != null && !ClassRule.namePattern().matcher(name).matches()) {
      yaml.problem(
          r.get("name"),
          "rule name must be lowercase letters, digits, '-' and '_' (at most 63), was '"
              + name
              + "'");
      name = null;
    }
    String cls = r.requireText("class");
    Node matchNode = r.require("match");
    if (matchNode == null) {
      return null;
    }
    List<Node> items = yaml.list(matchNode, "match");
    if (items == null) {
      return null;
    }
    if (items.isEmpty()) {
      yaml.problem(matchNode, "match needs at least one condition");
      return null;
    }
    List<AttributeCondition> conditions = new ArrayList<>();
    for (Node item : items) {
      AttributeCondition c = condition(item);
      if (c != null) {
        conditions.add(c);
      }
    }
    if (name == null || cls == null || conditions.isEmpty()) {
      return null;
    }
    // With a broken condition the file is refused anyway; the rule is kept with the others so that
    // its class is checked too.
    return new ClassRule(name, cls, conditions, yaml.source(node));
  }

  private AttributeCondition condition(Node node) {
    Yaml.Fields c = yaml.fields(node, "condition", CONDITION);
    if (c == null) {
      return null;
    }
    String attribute = c.requireText("attribute");
    if (attribute != null && attribute.isBlank()) {
      yaml.problem(c.get("attribute"), "attribute must name a span or resource attribute");
      attribute = null;
    }
    List<AttributeCondition.Op> ops = new ArrayList<>();
    for (AttributeCondition.Op op : AttributeCondition.Op.values()) {
      if (c.has(op.id())) {
        ops.add(op);
      }
    }
    if (ops.size() != 1) {
      yaml.problem(c.node, "a condition needs exactly one of equals, prefix and regex");
      return null;
    }
    AttributeCondition.Op op = ops.get(0);
    String value = yaml.text(c.get(op.id()), op.id());
    if (attribute != null
        && ruleAttributes.add(attribute)
        && ruleAttributes.size() > Span.MAX_RULE_ATTRIBUTES) {
      yaml.problem(
          c.get("attribute"),
          "the class rules read more than "
              + Span.MAX_RULE_ATTRIBUTES
              + " distinct attributes ('"
              + attribute
              + "' is one too many); a root span carries at most "
              + Span.MAX_RULE_ATTRIBUTES
              + " to the rules");
      attribute = null;
    }
    if (value == null || attribute == null) {
      return null;
    }
    if (op != AttributeCondition.Op.REGEX && value.length() > Span.MAX_RULE_VALUE_CHARS) {
      yaml.problem(
          c.get(op.id()),
          op.id()
              + " has "
              + value.length()
              + " characters; rules see at most the first "
              + Span.MAX_RULE_VALUE_CHARS
              + " characters of a value, so it could never hold");
      return null;
    }
    if (op == AttributeCondition.Op.REGEX) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        yaml.problem(
            c.get(op.id()),
            "regex is not a valid Java regular expression: "
                + e.getDescription()
                + " near index "
                + e.getIndex());
        return null;
      }
    }
    return new AttributeCondition(attribute, op, value);
  }
}
