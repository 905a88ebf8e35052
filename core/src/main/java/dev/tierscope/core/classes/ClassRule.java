package dev.tierscope.core.classes;

import java.util.List;
import java.util.regex.Pattern;

/**
 * An ordered class rule: when every condition holds on a request's root span, the request belongs
 * to {@code className}.
 *
 * @param name identifier, unique in the file, the dimension of the {@code class_rule} counter
 * @param className the class the rule assigns
 * @param conditions all must hold; at least one
 * @param source where the rule is configured
 */
public record ClassRule(
    String name, String className, List<AttributeCondition> conditions, ObjectiveSource source) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?");

  public ClassRule {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "rule name must match " + NAME.pattern() + ", was '" + name + "'");
    }
    if (className == null || conditions == null || conditions.isEmpty() || source == null) {
      throw new IllegalArgumentException("a rule needs a class, conditions and a source");
    }
    conditions = List.copyOf(conditions);
  }

  /** The pattern rule names follow. */
  public static Pattern namePattern() {
    return NAME;
  }
}
