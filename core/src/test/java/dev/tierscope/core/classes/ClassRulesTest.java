package dev.tierscope.core.classes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.classes.AttributeCondition.Op;
import dev.tierscope.core.span.Span;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassRulesTest {

  private static final ObjectiveSource AT = ObjectiveSource.file("f.yaml", 1, 1);

  private static ClassRule rule(String name, String cls, AttributeCondition... conditions) {
    return new ClassRule(name, cls, List.of(conditions), AT);
  }

  private final ClassRules rules =
      new ClassRules(
          List.of(
              rule(
                  "premium",
                  "interactive_premium",
                  new AttributeCondition("service.name", Op.EQUALS, "chat"),
                  new AttributeCondition("http.route", Op.PREFIX, "/v1/chat/")),
              rule(
                  "batch-route",
                  "deferred_batch",
                  new AttributeCondition("http.route", Op.REGEX, "/v1/(batch|jobs)/.*")),
              rule(
                  "any-chat",
                  "standard_interactive",
                  new AttributeCondition("service.name", Op.EQUALS, "chat"))));

  private String classOf(Map<String, String> attributes) {
    ClassRule r = rules.firstMatch(attributes::get);
    return r == null ? null : r.className();
  }

  @Test
  void allConditionsOfARuleMustHold() {
    assertThat(classOf(Map.of("service.name", "chat", "http.route", "/v1/chat/completions")))
        .isEqualTo("interactive_premium");
    assertThat(classOf(Map.of("service.name", "chat", "http.route", "/v2/chat/completions")))
        .isEqualTo("standard_interactive");
  }

  @Test
  void firstMatchingRuleWinsInFileOrder() {
    // matches both batch-route and any-chat: the earlier rule decides
    assertThat(classOf(Map.of("service.name", "chat", "http.route", "/v1/jobs/42")))
        .isEqualTo("deferred_batch");
  }

  @Test
  void regexMustMatchTheWholeValueAndAbsentAttributesMatchNothing() {
    assertThat(classOf(Map.of("http.route", "/api/v1/batch/1"))).isNull();
    assertThat(classOf(Map.of("http.route", "/v1/batch/1"))).isEqualTo("deferred_batch");
    assertThat(classOf(Map.of())).isNull();
    assertThat(classOf(Map.of("service.name", "Chat"))).isNull();
  }

  @Test
  void attributesAreEveryKeyTheRulesRead() {
    assertThat(rules.attributes()).containsExactly("service.name", "http.route");
    assertThat(ClassRules.NONE.attributes()).isEmpty();
    assertThat(ClassRules.NONE.firstMatch(k -> "x")).isNull();
  }

  @Test
  void invalidRulesFailAtConfiguration() {
    assertThatThrownBy(() -> new AttributeCondition("a", Op.REGEX, "("))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> rule("Bad Name", "x", new AttributeCondition("a", Op.EQUALS, "b")))
        .hasMessageContaining("rule name must match");
    assertThatThrownBy(
            () ->
                new ClassRules(
                    List.of(
                        rule("a", "x", new AttributeCondition("k", Op.EQUALS, "v")),
                        rule("a", "y", new AttributeCondition("k", Op.EQUALS, "v")))))
        .hasMessageContaining("defined twice");
    assertThatThrownBy(
            () ->
                new TrafficClasses(
                    TrafficClasses.defaultClasses(),
                    Map.of(),
                    "standard_interactive",
                    new ClassRules(
                        List.of(rule("a", "gold", new AttributeCondition("k", Op.EQUALS, "v"))))))
        .hasMessageContaining("class rule 'a' names unknown class 'gold'");
  }

  @Test
  void rulesReadingMoreAttributesThanARootSpanCarriesFailAtConfiguration() {
    List<ClassRule> many = new java.util.ArrayList<>();
    for (int i = 0; i <= Span.MAX_RULE_ATTRIBUTES; i++) {
      many.add(rule("r" + i, "x", new AttributeCondition("attr." + i, Op.EQUALS, "v")));
    }
    assertThatThrownBy(() -> new ClassRules(many))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65 distinct attributes");
    assertThat(new ClassRules(many.subList(0, Span.MAX_RULE_ATTRIBUTES)).attributes())
        .hasSize(Span.MAX_RULE_ATTRIBUTES);
  }
}
