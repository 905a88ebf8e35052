package dev.tierscope.core.classes;

import dev.tierscope.core.span.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The ordered class rules of a spec file: which class a request belongs to when none of its spans
 * names one, decided from its root span's attributes. The first rule whose conditions all hold
 * wins; when none does, the request counts in the fallback class.
 *
 * <p>Why on the root span only: it is the span that stands for the whole request (the client's call
 * or the gateway's server span), and it is known once per request, so the decision costs one
 * evaluation per request, not per span. Immutable and thread-safe; compiled patterns are reused.
 *
 * <pre>{@code
 * ClassRule r = rules.firstMatch(root.attributes()::get);
 * String cls = r == null ? classes.fallback() : r.className();
 * }</pre>
 */
public final class ClassRules {

  /** No rules: every request without a class counts in the fallback class. */
  public static final ClassRules NONE = new ClassRules(List.of());

  private final List<ClassRule> rules;
  private final AttributeCondition.Matcher[][] matchers;
  private final String[][] keys;
  private final Set<String> attributes;

  public ClassRules(List<ClassRule> rules) {
    this.rules = List.copyOf(rules);
    Set<String> names = new LinkedHashSet<>();
    Set<String> attrs = new LinkedHashSet<>();
    matchers = new AttributeCondition.Matcher[this.rules.size()][];
    keys = new String[this.rules.size()][];
    for (int i = 0; i < this.rules.size(); i++) {
      ClassRule r = this.rules.get(i);
      if (!names.add(r.name())) {
        throw new IllegalArgumentException("class rule '" + r.name() + "' is defined twice");
      }
      List<AttributeCondition> cs = r.conditions();
      matchers[i] = new AttributeCondition.Matcher[cs.size()];
      keys[i] = new String[cs.size()];
      for (int j = 0; j < cs.size(); j++) {
        matchers[i][j] = cs.get(j).matcher();
        keys[i][j] = cs.get(j).attribute();
        attrs.add(cs.get(j).attribute());
      }
    }
    if (attrs.size() > Span.MAX_RULE_ATTRIBUTES) {
      throw new IllegalArgumentException(
          "class rules read "
              + attrs.size()
              + " distinct attributes; a root span carries at most "
              + Span.MAX_RULE_ATTRIBUTES);
    }
    this.attributes = Collections.unmodifiableSet(attrs);
  }

  /** The rules in order. */
  public List<ClassRule> all() {
    return rules;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Every attribute key some rule reads: what the ingest must carry from a root span for the
   * assembly to apply the rules.
   */
  public Set<String> attributes() {
    return attributes;
  }

  /**
   * The first rule whose conditions all hold, or null.
   *
   * @param attributes an attribute's value by key, null when the span and its resource lack it
   */
  public ClassRule firstMatch(Function<String, String> attributes) {
    for (int i = 0; i < matchers.length; i++) {
      if (matches(i, attributes)) {
        return rules.get(i);
      }
    }
    return null;
  }

  private boolean matches(int rule, Function<String, String> attributes) {
    AttributeCondition.Matcher[] ms = matchers[rule];
    for (int j = 0; j < ms.length; j++) {
      String v = attributes.apply(keys[rule][j]);
      if (v == null || !ms[j].test(v)) {
        return false;
      }
    }
    return true;
  }

  /** Rule names in order, for messages. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    rules.forEach(r -> out.add(r.name()));
    return out;
  }
}
