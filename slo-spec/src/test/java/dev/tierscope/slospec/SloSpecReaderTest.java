package dev.tierscope.slospec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.classes.ClassRule;
import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.classes.ObjectiveField;
import dev.tierscope.core.classes.ObjectiveSource;
import dev.tierscope.core.classes.SloSpec;
import dev.tierscope.core.classes.SloSpecException;
import dev.tierscope.core.classes.SpecProblem;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.classes.TrafficClassesBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SloSpecReaderTest {

  static final Path EXAMPLE = Path.of("../docs/examples/tierscope-slo.yaml");

  static final String HEADER_TTFT_SLI =
      """
      apiVersion: openslo/v1
      kind: SLI
      metadata:
        name: ttft
      spec:
        thresholdMetric:
          metricSource:
            type: Tierscope
            spec:
              sli: ttft
      """;

  /** One SLO of class {@code cls} on the ttft SLI object, with a free objective block. */
  static String ttftSlo(String name, String cls, String objective) {
    return """
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: %s
        spec:
          service: %s
          indicatorRef: ttft
          budgetingMethod: Occurrences
          objectives:
        %s
        """
        .formatted(name, cls, objective.indent(4).stripTrailing());
  }

  static List<String> problems(String text) {
    try {
      SloSpecReader.load(text, "slo.yaml", new TrafficClassesBuilder());
    } catch (SloSpecException e) {
      return e.problems().stream().map(SpecProblem::toString).toList();
    }
    throw new AssertionError("expected the spec to be refused");
  }

  @Test
  void documentedExampleGivesTheDefaultObjectivesWithFileSources() {
    SloSpec spec = SloSpecReader.read(EXAMPLE);
    TrafficClasses classes = new TrafficClassesBuilder().spec(spec).build(EXAMPLE.toString());

    assertThat(classes.all())
        .extracting(TrafficClass::name)
        .containsExactly("interactive_premium", "standard_interactive", "deferred_batch");
    for (TrafficClass defaults : TrafficClasses.defaultClasses()) {
      TrafficClass c = classes.get(defaults.name());
      assertThat(c.objectives()).isEqualTo(defaults.objectives());
      for (Indicator i :
          List.of(
              Indicator.TTFT,
              Indicator.STREAM_INTERRUPTION,
              Indicator.TOOLCHAIN_LATENCY,
              Indicator.RETRIEVAL_FALLBACK)) {
        assertThat(c.source(i).type()).isEqualTo(ObjectiveSource.Type.FILE);
        assertThat(c.source(i).file()).isEqualTo(EXAMPLE.toString());
        assertThat(c.timeWindow(i)).isEqualTo(Duration.ofDays(30));
      }
      assertThat(c.components()).isEmpty();
    }
    // the source is the line of the SLO's first key, as an editor shows it
    assertThat(classes.get("interactive_premium").source(Indicator.TTFT).describe())
        .isEqualTo(EXAMPLE + ":" + lineOf("name: premium-ttft", -3) + ":1");
    assertThat(classes.fallback()).isEqualTo("standard_interactive");
    assertThat(classes.rules().names())
        .containsExactly("premium-chat", "nightly-batch", "small-models");
    assertThat(classes.rules().attributes())
        .containsExactly("service.name", "http.route", "gen_ai.request.model");
  }

  private static int lineOf(String text, int offset) {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(EXAMPLE);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).trim().equals(text)) {
          return i + 1 + offset;
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError(text + " not in the example");
  }

  @Test
  void inlineIndicatorsComponentsPercentTargetsAndANewClass() {
    String text =
        """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: voice-ttft
        spec:
          service: voice_realtime
          indicator:
            metadata:
              name: voice-ttft
            spec:
              thresholdMetric:
                metricSource:
                  type: Tierscope
                  spec:
                    sli: ttft
          timeWindow:
            - duration: 4w
              isRolling: true
          budgetingMethod: Occurrences
          objectives:
            - op: lte
              value: 300.5
              targetPercent: 99
        """
            + slo("voice-si", "voice_realtime", "stream_interruption", "target: 0.999")
            + slo(
                "voice-tool",
                "voice_realtime",
                "toolchain_latency",
                "op: lte\nvalue: 2000\ntarget: 0.9")
            + slo("voice-rf", "voice_realtime", "retrieval_fallback", "target: 0.99")
            + slo(
                "premium-model",
                "interactive_premium",
                "model",
                "op: lte\nvalue: 400\ntarget: 0.9");
    TrafficClasses classes =
        new TrafficClassesBuilder().spec(SloSpecReader.parse(text, "s.yaml")).build("s.yaml");

    TrafficClass voice = classes.get("voice_realtime");
    assertThat(voice.objectives().ttftThreshold()).isEqualTo(Duration.ofNanos(300_500_000));
    assertThat(voice.objectives().ttftTarget()).isEqualTo(0.99);
    assertThat(voice.objectives().maxInterruptionRate()).isEqualTo(0.001);
    assertThat(voice.objectives().toolchainThreshold()).isEqualTo(Duration.ofSeconds(2));
    assertThat(voice.objectives().maxFallbackRatio()).isEqualTo(0.01);
    assertThat(voice.timeWindow(Indicator.TTFT)).isEqualTo(Duration.ofDays(28));
    assertThat(voice.timeWindow(Indicator.STREAM_INTERRUPTION)).isNull();
    assertThat(voice.source(Indicator.TTFT).describe()).isEqualTo("s.yaml:1:1");

    TrafficClass premium = classes.get("interactive_premium");
    assertThat(premium.components().get(Indicator.MODEL).threshold())
        .isEqualTo(Duration.ofMillis(400));
    assertThat(premium.components().get(Indicator.MODEL).target()).isEqualTo(0.9);
    assertThat(premium.source(Indicator.MODEL).type()).isEqualTo(ObjectiveSource.Type.FILE);
    assertThat(premium.source(Indicator.TTFT)).isEqualTo(ObjectiveSource.DEFAULT);
  }

  /** An SLO with an inline indicator of any SLI. */
  static String slo(String name, String cls, String sli, String objective) {
    Indicator i = Indicator.fromId(sli);
    String metric =
        i.shape() == Indicator.Shape.LATENCY
            ? """
              thresholdMetric:
                metricSource:
                  type: Tierscope
                  spec:
                    sli: %s
              """
                .formatted(sli)
            : """
              ratioMetric:
                rawType: failure
                raw:
                  metricSource:
                    type: Tierscope
                    spec:
                      sli: %s
              """
                .formatted(sli);
    return """
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: %s
        spec:
          service: %s
          indicator:
            spec:
        %s
          budgetingMethod: Occurrences
          objectives:
            - %s
        """
        .formatted(
            name, cls, metric.indent(6).stripTrailing(), objective.replace("\n", "\n      "));
  }

  @Test
  void unknownSliIsRefusedAtItsValueListingTheKnownOnes() {
    String text = HEADER_TTFT_SLI.replace("sli: ttft", "sli: ttfb");
    assertThat(problems(text))
        .containsExactly(
            "slo.yaml:10:14: unknown SLI 'ttfb'; Tierscope measures ttft, toolchain_latency, edge,"
                + " mesh, model, model_queue (latencies, thresholdMetric) and stream_interruption,"
                + " retrieval_fallback (shares of bad events, ratioMetric)");
  }

  @Test
  void targetOutOfRangeIsRefusedAtTheTarget() {
    String text =
        HEADER_TTFT_SLI
            + ttftSlo(
                "premium-ttft", "interactive_premium", "- op: lte\n  value: 800\n  target: 1.5");
    assertThat(problems(text))
        .containsExactly("slo.yaml:23:15: target must lie in (0, 1), was 1.5");
    assertThat(
            problems(
                HEADER_TTFT_SLI
                    + ttftSlo(
                        "a", "deferred_batch", "- op: lte\n  value: 800\n  targetPercent: 100")))
        .containsExactly("slo.yaml:23:22: targetPercent must lie in (0, 100), was 100");
  }

  @Test
  void duplicateClassObjectiveIsRefusedNamingTheFirst() {
    String text =
        HEADER_TTFT_SLI
            + ttftSlo(
                "premium-ttft", "interactive_premium", "- op: lte\n  value: 800\n  target: 0.95")
            + ttftSlo(
                "premium-ttft-2", "interactive_premium", "- op: lte\n  value: 700\n  target: 0.9");
    assertThat(problems(text))
        .containsExactly(
            "slo.yaml:25:1: class interactive_premium already has a ttft objective (SLO"
                + " 'premium-ttft' at slo.yaml:12:1); give each class one SLO per indicator");
  }

  @Test
  void duplicateSloNameAndDuplicateKeyAreRefused() {
    String text =
        HEADER_TTFT_SLI
            + ttftSlo(
                "premium-ttft", "interactive_premium", "- op: lte\n  value: 800\n  target: 0.95")
            + ttftSlo(
                "premium-ttft",
                "deferred_batch",
                "- op: lte\n  value: 800\n  target: 0.95\n  target: 0.9");
    assertThat(problems(text))
        .containsExactly(
            "slo.yaml:28:9: SLO 'premium-ttft' is defined twice (first at line 15); names are"
                + " unique per kind",
            "slo.yaml:37:7: duplicate key 'target' in objective");
  }

  @Test
  void badYamlIsRefusedWithThePositionOfTheSyntaxError() {
    String text = "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: [a, b\nspec: {}\n";
    List<String> p = problems(text);
    assertThat(p).hasSize(1);
    assertThat(p.get(0)).startsWith("slo.yaml:5:").contains("not valid YAML");
    assertThat(problems("apiVersion: openslo/v1\n  kind: SLO\n"))
        .singleElement()
        .asString()
        .startsWith("slo.yaml:2:7: not valid YAML");
  }

  @Test
  void emptyFileAndForeignObjectsAreRefused() {
    assertThat(problems("# nothing\n"))
        .containsExactly(
            "slo.yaml: the file holds no SLO and no ClassRules object; see docs/slo-spec.md");
    assertThat(problems("- a\n- b\n"))
        .containsExactly("slo.yaml:1:1: object must be a mapping (key: value lines)");
    assertThat(problems("apiVersion: openslo/v1alpha\nkind: SLO\n"))
        .containsExactly(
            "slo.yaml:1:13: apiVersion 'openslo/v1alpha' is not supported; Tierscope reads openslo/v1");
  }

  @Test
  void unsupportedOpenSloConstructsAreRefusedWithTheReason() {
    String text =
        """
        apiVersion: openslo/v1
        kind: AlertPolicy
        metadata:
          name: page
        spec: {}
        ---
        apiVersion: openslo/v1
        kind: DataSource
        metadata:
          name: prom
        spec: {}
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: premium-ttft
        spec:
          service: interactive_premium
          indicator:
            spec:
              thresholdMetric:
                metricSource:
                  metricSourceRef: prom
          timeWindow:
            - duration: 1M
              calendar:
                startTime: 2020-01-21 12:30:00
                timeZone: America/New_York
          budgetingMethod: Timeslices
          alertPolicies:
            - alertPolicyRef: page
          objectives:
            - op: gt
              value: 800
              target: 0.95
              timeSliceTarget: 0.9
            - target: 0.9
        """;
    assertThat(problems(text))
        .containsExactly(
            "slo.yaml:2:7: kind AlertPolicy is not supported: Tierscope computes the SRE"
                + " workbook's multi-window burn-rate alerts for every objective itself"
                + " (GET /api/v1/alerts); remove the object",
            "slo.yaml:8:7: kind DataSource is not supported: Tierscope is the only data source of"
                + " its SLIs (write metricSource.type: Tierscope in the SLI instead)",
            "slo.yaml:23:11: metricSourceRef is not supported: DataSource objects are not,"
                + " Tierscope is the only data source; write type: Tierscope",
            "slo.yaml:26:7: calendar-aligned time windows are not supported: error budgets are"
                + " rolling; write isRolling: true",
            "slo.yaml:29:20: budgetingMethod Timeslices is not supported: Tierscope counts good"
                + " and bad events exactly, so budgets use Occurrences",
            "slo.yaml:30:3: alertPolicies are not supported: Tierscope computes the SRE workbook's"
                + " multi-window burn-rate alerts for every objective itself (GET /api/v1/alerts);"
                + " remove them",
            "slo.yaml:33:5: objectives must hold exactly one objective, has 2 (composite SLOs are"
                + " not supported); write one SLO per class and indicator");
  }

  @Test
  void latencyObjectiveNeedsLteAndMillisecondsAndRatioObjectiveRefusesOpValue() {
    assertThat(
            problems(
                HEADER_TTFT_SLI
                    + ttftSlo(
                        "a",
                        "deferred_batch",
                        "- op: gt\n  value: -3\n  target: 0.9\n  timeSliceWindow: 5m")))
        .containsExactly(
            "slo.yaml:21:11: op must be lte: a latency objective counts events at or under its"
                + " threshold, was 'gt'",
            "slo.yaml:22:14: value is the threshold in milliseconds, above 0 and at most one"
                + " day, was -3.0",
            "slo.yaml:24:7: timeSliceWindow is not supported: budgets use Occurrences (good and"
                + " bad events), not time slices");
    String ratio =
        slo("si", "deferred_batch", "stream_interruption", "op: lte\nvalue: 3\ntarget: 0.99");
    assertThat(problems(ratio))
        .containsExactly(
            "slo.yaml:19:7: op does not apply to stream_interruption: its objective is only the"
                + " target share of good events",
            "slo.yaml:20:7: value does not apply to stream_interruption: its objective is only"
                + " the target share of good events");
  }

  @Test
  void wrongMetricFormForAnSliIsExplained() {
    String ratioAsThreshold =
        slo("a", "deferred_batch", "ttft", "target: 0.9")
            .replace("sli: ttft", "sli: retrieval_fallback");
    assertThat(problems(ratioAsThreshold))
        .containsExactly(
            "slo.yaml:12:11: retrieval_fallback is a share of bad events, not a latency: write it"
                + " as ratioMetric with rawType: failure and raw.metricSource");
    String goodTotal =
        slo("b", "deferred_batch", "stream_interruption", "target: 0.9")
            .replace("rawType: failure", "rawType: success\n        good: {}");
    assertThat(problems(goodTotal))
        .containsExactly(
            "slo.yaml:12:9: ratioMetric.good is not supported: Tierscope counts good and total"
                + " events itself; write rawType: failure and raw.metricSource naming the SLI");
  }

  @Test
  void unknownFieldsAndMonthWindowsAreRefused() {
    String text =
        HEADER_TTFT_SLI
            + ttftSlo("a", "deferred_batch", "- op: lte\n  value: 800\n  target: 0.9")
                .replace(
                    "  budgetingMethod",
                    "  timeWindow:\n    - duration: 1M\n      isRolling: true\n  budgetingMethod")
                .replace("  service:", "  owner: team-a\n  service:");
    assertThat(problems(text))
        .containsExactly(
            "slo.yaml:17:3: unknown field 'owner' in SLO spec; allowed: "
                + "description, service, indicator, indicatorRef, timeWindow, budgetingMethod,"
                + " objectives, alertPolicies",
            "slo.yaml:21:17: duration unit M is not supported: months, quarters and years differ"
                + " in length; give days or weeks, e.g. 30d");
  }

  @Test
  void aNewClassNeedsAllFourSlis() {
    String text =
        HEADER_TTFT_SLI
            + ttftSlo("voice-ttft", "voice_realtime", "- op: lte\n  value: 300\n  target: 0.99");
    assertThat(problems(text))
        .containsExactly(
            "slo.yaml:12:1: class voice_realtime is not a default class, so it needs an objective"
                + " on each of the four SLIs (ttft, stream_interruption, toolchain_latency,"
                + " retrieval_fallback); missing: stream_interruption, toolchain_latency,"
                + " retrieval_fallback");
  }

  @Test
  void classRulesAreReadInOrderAndCheckedAgainstTheClasses() {
    String text =
        """
        apiVersion: tierscope.dev/v1
        kind: ClassRules
        metadata:
          name: rules
        spec:
          fallback: deferred_batch
          rules:
            - name: premium
              class: interactive_premium
              match:
                - attribute: service.name
                  equals: chat
                - attribute: http.route
                  prefix: /v1/chat/
            - name: mini
              class: deferred_batch
              match:
                - attribute: gen_ai.request.model
                  regex: .*-mini
        """;
    SloSpec spec = SloSpecReader.parse(text, "r.yaml");
    TrafficClasses classes = new TrafficClassesBuilder().spec(spec).build("r.yaml");
    assertThat(classes.fallback()).isEqualTo("deferred_batch");
    List<ClassRule> rules = classes.rules().all();
    assertThat(rules).extracting(ClassRule::name).containsExactly("premium", "mini");
    assertThat(rules.get(0).source().describe()).isEqualTo("r.yaml:8:7");
    Map<String, String> chat = Map.of("service.name", "chat", "http.route", "/v1/chat/completions");
    assertThat(classes.rules().firstMatch(chat::get).className()).isEqualTo("interactive_premium");
    Map<String, String> mini =
        Map.of("service.name", "chat", "gen_ai.request.model", "gpt-4o-mini");
    assertThat(classes.rules().firstMatch(mini::get).name()).isEqualTo("mini");

    String broken =
        text.replace("class: deferred_batch", "class: batch")
                .replace("regex: .*-mini", "regex: \"(unclosed\"")
                .replace("equals: chat", "equals: chat\n          prefix: c")
            + "---\napiVersion: tierscope.dev/v1\nkind: ClassRules\nmetadata:\n  name: more\nspec: {}\n";
    assertThat(problems(broken))
        .containsExactly(
            "slo.yaml:11:11: a condition needs exactly one of equals, prefix and regex",
            "slo.yaml:20:18: regex is not a valid Java regular expression: Unclosed group near"
                + " index 9",
            "slo.yaml:23:7: a second ClassRules object; the file holds one (the first is at line 1)");
    String unknownClass = text.replace("class: deferred_batch", "class: batch");
    assertThat(problems(unknownClass))
        .containsExactly(
            "slo.yaml:15:7: class rule 'mini' assigns unknown class 'batch'; classes are"
                + " [interactive_premium, standard_interactive, deferred_batch]");
  }

  @Test
  void rulesBeyondWhatARootSpanCarriesAreRefusedWithTheirPosition() {
    StringBuilder text =
        new StringBuilder(
            """
            apiVersion: tierscope.dev/v1
            kind: ClassRules
            metadata:
              name: rules
            spec:
              rules:
                - name: long-values
                  class: deferred_batch
                  match:
                    - attribute: http.route
                      prefix: /v1/%s
                    - attribute: service.name
                      regex: (a|b)%s
                - name: many
                  class: deferred_batch
                  match:
            """
                .formatted("x".repeat(260), "c".repeat(300)));
    // 2 attributes above, 63 more here: the 65th distinct one is refused (line 17 + 2 * 62 + 1).
    for (int i = 0; i < 63; i++) {
      text.append("        - attribute: attr.").append(i).append("\n");
      text.append("          equals: v\n");
    }
    assertThat(problems(text.toString()))
        .containsExactly(
            "slo.yaml:11:19: prefix has 264 characters; rules see at most the first 256 characters"
                + " of a value, so it could never hold",
            "slo.yaml:141:22: the class rules read more than 64 distinct attributes ('attr.62' is"
                + " one too many); a root span carries at most 64 to the rules");
  }

  @Test
  void fileAndPropertySettingTheSameObjectiveIsRefused() {
    String text =
        HEADER_TTFT_SLI
            + ttftSlo("p", "interactive_premium", "- op: lte\n  value: 600\n  target: 0.95");
    TrafficClassesBuilder b =
        new TrafficClassesBuilder()
            .property(
                "interactive_premium",
                ObjectiveField.TTFT_TARGET,
                0.99,
                "tierscope.classes.objectives.interactive_premium.ttft-target")
            .property(
                "interactive_premium",
                ObjectiveField.MAX_FALLBACK_RATIO,
                0.03,
                "tierscope.classes.objectives.interactive_premium.max-fallback-ratio")
            .spec(SloSpecReader.parse(text, "slo.yaml"));
    assertThatThrownBy(() -> b.build("slo.yaml"))
        .isInstanceOf(SloSpecException.class)
        .hasMessage(
            "slo.yaml is invalid (1 error):"
                + System.lineSeparator()
                + "  slo.yaml:12:1: the ttft objective of class interactive_premium is also set by"
                + " property tierscope.classes.objectives.interactive_premium.ttft-target; set it"
                + " in one place (remove the property, or this SLO)");
  }

  @Test
  void propertiesAndFileCombineWithTheirSources() {
    String text =
        HEADER_TTFT_SLI
            + ttftSlo("p", "interactive_premium", "- op: lte\n  value: 600\n  target: 0.97");
    TrafficClasses classes =
        new TrafficClassesBuilder()
            .property(
                "interactive_premium",
                ObjectiveField.MAX_FALLBACK_RATIO,
                0.03,
                "tierscope.classes.objectives.interactive_premium.max-fallback-ratio")
            .spec(SloSpecReader.parse(text, "slo.yaml"))
            .build("slo.yaml");
    TrafficClass p = classes.get("interactive_premium");
    assertThat(p.objectives().ttftThreshold()).isEqualTo(Duration.ofMillis(600));
    assertThat(p.objectives().ttftTarget()).isEqualTo(0.97);
    assertThat(p.objectives().maxFallbackRatio()).isEqualTo(0.03);
    assertThat(p.source(Indicator.TTFT).describe()).isEqualTo("slo.yaml:12:1");
    assertThat(p.source(Indicator.RETRIEVAL_FALLBACK).describe())
        .isEqualTo("property tierscope.classes.objectives.interactive_premium.max-fallback-ratio");
    assertThat(p.source(Indicator.STREAM_INTERRUPTION).describe()).isEqualTo("default");
  }

  @Test
  void everyProblemOfABrokenObjectIsReportedNotOnlyTheFirst() {
    String text =
        """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: premium_ttft
        spec:
          service: interactive_premium
          indicator:
            spec:
              thresholdMetric:
                metricSource:
                  type: Tierscope
                  spec:
                    sli: ttfb
          timeWindow:
            - duration: 1M
              isRolling: true
          budgetingMethod: Timeslices
          objectives:
            - op: lt
              value: 800
              target: 95
        ---
        apiVersion: tierscope.dev/v1
        kind: ClassRules
        metadata:
          name: rules
        spec:
          rules:
            - name: gold
              class: gold_users
              match:
                - attribute: http.route
                  regex: "/v1/(chat"
                - attribute: service.name
                  equals: chat
        """;
    assertThat(problems(text))
        .extracting(p -> p.substring(0, p.indexOf(": ", "slo.yaml:".length())))
        .containsExactly(
            "slo.yaml:4:9", // name
            "slo.yaml:13:18", // unknown SLI
            "slo.yaml:15:17", // 1M
            "slo.yaml:17:20", // Timeslices
            // (op lt is judged once the SLI is known: after the unknown SLI is fixed)
            "slo.yaml:21:15", // target 95
            "slo.yaml:29:7", // the rule's unknown class
            "slo.yaml:33:18"); // regex
  }

  @Test
  void unreadableFileIsOneProblemWithoutPosition() {
    assertThatThrownBy(() -> SloSpecReader.read(Path.of("does-not-exist.yaml")))
        .isInstanceOf(SloSpecException.class)
        .hasMessageContaining("does-not-exist.yaml: cannot read the file");
  }
}
