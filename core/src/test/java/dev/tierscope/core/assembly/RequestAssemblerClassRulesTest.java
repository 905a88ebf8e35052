package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.classes.AttributeCondition;
import dev.tierscope.core.classes.AttributeCondition.Op;
import dev.tierscope.core.classes.ClassRule;
import dev.tierscope.core.classes.ClassRules;
import dev.tierscope.core.classes.ObjectiveSource;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.testing.SpanBuilder;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.WindowAggregator;
import dev.tierscope.core.window.WindowDelta;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Class rules at assembly: applied to the root span, after a class a span names, before the
 * fallback.
 */
class RequestAssemblerClassRulesTest {

  private static final ObjectiveSource AT = ObjectiveSource.file("slo.yaml", 1, 1);

  private static final ClassRules RULES =
      new ClassRules(
          List.of(
              new ClassRule(
                  "chat-premium",
                  "interactive_premium",
                  List.of(
                      new AttributeCondition("service.name", Op.EQUALS, "chat"),
                      new AttributeCondition("http.route", Op.PREFIX, "/v1/chat/")),
                  AT),
              new ClassRule(
                  "mini-batch",
                  "deferred_batch",
                  List.of(new AttributeCondition("gen_ai.request.model", Op.REGEX, ".*-mini")),
                  AT)));

  private static final AssemblyConfig CONFIG =
      Assemble.config("standard_interactive").withClassRules(RULES);

  private static RequestSummary assemble(Span... spans) {
    return Assemble.summaryOf(CONFIG, Arrays.asList(spans));
  }

  private static SpanBuilder gateway(long id) {
    return SpanBuilder.span(id).role(SpanRole.GATEWAY).kind(SpanKind.SERVER);
  }

  private static SpanBuilder model(long id, long parent) {
    return SpanBuilder.span(id).parent(parent).role(SpanRole.MODEL).kind(SpanKind.CLIENT);
  }

  private static SpanBuilder chatRoot() {
    return gateway(1)
        .at(0, 100_000)
        .attribute("service.name", "chat")
        .attribute("http.route", "/v1/chat/completions");
  }

  @Test
  void firstMatchingRuleOnTheRootSpanDecidesWhenNoSpanNamesAClass() {
    RequestSummary r = assemble(chatRoot().build(), model(2, 1).at(10_000, 90_000).build());
    assertThat(r.trafficClass()).isEqualTo("interactive_premium");
    assertThat(r.classRule()).isEqualTo("chat-premium");
    assertThat(r.classFallback()).isFalse();

    RequestSummary mini =
        assemble(client(1).at(0, 50_000).attribute("gen_ai.request.model", "gpt-4o-mini").build());
    assertThat(mini.trafficClass()).isEqualTo("deferred_batch");
    assertThat(mini.classRule()).isEqualTo("mini-batch");
  }

  @Test
  void aClassNamedByAnySpanWinsOverTheRules() {
    RequestSummary r =
        assemble(
            chatRoot().build(),
            model(2, 1).at(10_000, 90_000).trafficClass("deferred_batch").build());
    assertThat(r.trafficClass()).isEqualTo("deferred_batch");
    assertThat(r.classRule()).isEmpty();
    assertThat(r.classFallback()).isFalse();
  }

  @Test
  void anUnknownClassCountsAsNoneSoTheRulesStillDecide() {
    RequestSummary matched = assemble(chatRoot().classUnknown().build());
    assertThat(matched.trafficClass()).isEqualTo("interactive_premium");
    assertThat(matched.classRule()).isEqualTo("chat-premium");
    assertThat(matched.classUnknown()).isTrue();
    assertThat(matched.classFallback()).isFalse();

    RequestSummary unmatched = assemble(client(1).at(0, 50_000).classUnknown().build());
    assertThat(unmatched.trafficClass()).isEqualTo("standard_interactive");
    assertThat(unmatched.classUnknown()).isTrue();
    assertThat(unmatched.classFallback()).isTrue();
  }

  @Test
  void onlyTheRootSpansAttributesCountAndNoMatchFallsBack() {
    RequestSummary r =
        assemble(
            gateway(1).at(0, 100_000).attribute("service.name", "chat").build(),
            // a child span's attributes are not read, even if it carried some
            model(2, 1)
                .at(10_000, 90_000)
                .attribute("gen_ai.request.model", "gpt-4o-mini")
                .build());
    assertThat(r.trafficClass()).isEqualTo("standard_interactive");
    assertThat(r.classRule()).isEmpty();
    assertThat(r.classFallback()).isTrue();
  }

  @Test
  void windowsCountRuleDecisionsPerRuleAndTheFallback() {
    WindowAggregator windows = new WindowAggregator(10_000, 2);
    windows.record(assemble(chatRoot().build()));
    windows.record(assemble(chatRoot().build()));
    windows.record(
        assemble(client(1).at(0, 50_000).attribute("gen_ai.request.model", "x-mini").build()));
    windows.record(assemble(client(1).at(0, 50_000).build()));
    windows.record(assemble(client(1).at(0, 50_000).trafficClass("deferred_batch").build()));

    Map<String, Map<CounterKey, Long>> byClass = new java.util.HashMap<>();
    for (WindowDelta d : windows.drain()) {
      byClass
          .computeIfAbsent(d.key().trafficClass(), k -> new java.util.HashMap<>())
          .putAll(d.counters());
    }
    assertThat(byClass.get("interactive_premium"))
        .containsEntry(new CounterKey(Counter.CLASS_RULE, "chat-premium"), 2L)
        .containsEntry(CounterKey.of(Counter.REQUESTS), 2L)
        .doesNotContainKey(CounterKey.of(Counter.CLASS_FALLBACK));
    assertThat(byClass.get("deferred_batch"))
        .containsEntry(new CounterKey(Counter.CLASS_RULE, "mini-batch"), 1L)
        .containsEntry(CounterKey.of(Counter.REQUESTS), 2L);
    assertThat(byClass.get("standard_interactive"))
        .containsEntry(CounterKey.of(Counter.CLASS_FALLBACK), 1L)
        .containsEntry(CounterKey.of(Counter.REQUESTS), 1L);
  }

  @Test
  void theRuleDecisionSurvivesASnapshot() {
    RequestAssembler before = new RequestAssembler(CONFIG);
    before.add(chatRoot().build());
    byte[] snapshot = before.snapshot();

    RequestAssembler after = new RequestAssembler(CONFIG);
    after.restore(snapshot);
    after.add(model(2, 1).at(10_000, 90_000).build());
    RequestSummary r = Assemble.complete(after, CONFIG);
    assertThat(r.trafficClass()).isEqualTo("interactive_premium");
    assertThat(r.classRule()).isEqualTo("chat-premium");
  }

  @Test
  void snapshotsOfVersions2To6StillRestore() {
    RequestAssembler before = new RequestAssembler(CONFIG);
    before.add(client(1).at(0, 50_000).build());
    byte[] v7 = SnapshotVersions.v8ToV7(before.snapshot(), 1);
    // v7 -> v6: the request's slowest retrieval (its service, an empty string of 2 bytes, and its
    // duration, -1 in 8 bytes) goes; it follows the request's admission and degradation level and
    // comes before the evicted count and the recent traces' count (4 bytes each).
    assertThat(Arrays.copyOfRange(v7, v7.length - 18, v7.length - 8))
        .containsExactly(0, 0, -1, -1, -1, -1, -1, -1, -1, -1);
    byte[] v6 = new byte[v7.length - 10];
    System.arraycopy(v7, 0, v6, 0, v7.length - 18);
    System.arraycopy(v7, v7.length - 8, v6, v7.length - 18, 8);
    v6[0] = AssemblySnapshotCodec.VERSION_6;
    RequestAssembler fromV6 = new RequestAssembler(CONFIG);
    fromV6.restore(v6);
    assertThat(Assemble.complete(fromV6, CONFIG).traceId()).isEqualTo(client(1).build().traceId());
    // v6 -> v5: the key span's four breakdown strings (connection type, service, model, region;
    // empty here, 2 bytes each) go; they end the key span, before the request's admission and
    // degradation level (2 bytes), the evicted count and the recent traces' count (4 bytes each).
    assertThat(Arrays.copyOfRange(v6, v6.length - 18, v6.length - 10)).containsOnly((byte) 0);
    byte[] v5 = new byte[v6.length - 8];
    System.arraycopy(v6, 0, v5, 0, v6.length - 18);
    System.arraycopy(v6, v6.length - 10, v5, v6.length - 18, 10);
    v5[0] = AssemblySnapshotCodec.VERSION_5;
    RequestAssembler fromV5 = new RequestAssembler(CONFIG);
    fromV5.restore(v5);
    assertThat(Assemble.complete(fromV5, CONFIG).traceId()).isEqualTo(client(1).build().traceId());
    // v5 -> v4: each request ends with two bytes (admission, degradation level); here one request,
    // then the empty evicted list and the empty recently completed traces (two ints of 0).
    assertThat(Arrays.copyOfRange(v5, v5.length - 8, v5.length)).containsOnly((byte) 0);
    byte[] v4 = new byte[v5.length - 2];
    System.arraycopy(v5, 0, v4, 0, v5.length - 10);
    System.arraycopy(v5, v5.length - 8, v4, v5.length - 10, 8);
    v4[0] = AssemblySnapshotCodec.VERSION_4;
    // v4 -> v3: the request's bytes (a long after the output tokens) and whether its tenant is
    // authenticated (a boolean), and the recently completed traces (a count, 0 here, at the end)
    // go. Offsets: version, stream time, count, trace id,
    // tenant "acme", class "", two booleans, rule class "", rule name "", workflow "", then 107
    // bytes of times and counters.
    int rules = 1 + 8 + 4 + 16 + (2 + 4) + 2 + 2;
    int bytesField = rules + 4 + 2 + 107;
    assertThat(Arrays.copyOfRange(v4, bytesField, bytesField + 9)).containsOnly((byte) 0);
    assertThat(Arrays.copyOfRange(v4, v4.length - 4, v4.length)).containsOnly((byte) 0);
    byte[] v3 = new byte[v4.length - 9 - 4];
    System.arraycopy(v4, 0, v3, 0, bytesField);
    System.arraycopy(v4, bytesField + 9, v3, bytesField, v4.length - 4 - bytesField - 9);
    v3[0] = AssemblySnapshotCodec.VERSION_3;
    // v3 -> v2: the two strings (rule class, rule name) after the class flags go; here both empty,
    // two zero-length UTF strings of 2 bytes each.
    assertThat(Arrays.copyOfRange(v3, rules, rules + 4)).containsOnly((byte) 0);
    byte[] v2 = new byte[v3.length - 4];
    System.arraycopy(v3, 0, v2, 0, rules);
    System.arraycopy(v3, rules + 4, v2, rules, v3.length - rules - 4);
    v2[0] = AssemblySnapshotCodec.VERSION_2;

    RequestAssembler fromV4 = new RequestAssembler(CONFIG);
    fromV4.restore(v4);
    assertThat(Assemble.complete(fromV4, CONFIG).traceId()).isEqualTo(client(1).build().traceId());

    RequestAssembler fromV3 = new RequestAssembler(CONFIG);
    fromV3.restore(v3);
    assertThat(Assemble.complete(fromV3, CONFIG).traceId()).isEqualTo(client(1).build().traceId());

    RequestAssembler after = new RequestAssembler(CONFIG);
    after.restore(v2);
    RequestSummary r = Assemble.complete(after, CONFIG);
    assertThat(r.traceId()).isEqualTo(client(1).build().traceId());
    assertThat(r.trafficClass()).isEqualTo("standard_interactive");
    assertThat(r.classFallback()).isTrue();
  }
}
