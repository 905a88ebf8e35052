package dev.tierscope.server.deploy;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compose's variable interpolation, as far as {@code docker-compose.yml} uses it: {@code ${NAME}},
 * {@code ${NAME:-default}} and {@code ${NAME:?message}} (required: compose refuses to start while
 * it is unset or empty).
 */
final class ComposeVariables {

  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\\?)([^}]*))?}");

  private ComposeVariables() {}

  /** The value with every reference replaced from {@code env}; a required one must be set. */
  static String interpolate(String value, Map<String, String> env) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String set = env.get(m.group(1));
      boolean empty = set == null || set.isEmpty();
      String replacement;
      if (":?".equals(m.group(2)) && empty) {
        throw new IllegalStateException("required variable " + m.group(1) + ": " + m.group(3));
      } else if (":-".equals(m.group(2)) && empty) {
        replacement = m.group(3);
      } else {
        replacement = set == null ? "" : set;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The names of the required variables ({@code ${NAME:?...}}) the text refers to. */
  static Set<String> required(String text) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = REFERENCE.matcher(text);
    while (m.find()) {
      if (":?".equals(m.group(2))) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /**
   * True when the whole value is one required reference, e.g. {@code ${POSTGRES_PASSWORD:?...}}.
   */
  static boolean isRequiredReference(String value) {
    Matcher m = REFERENCE.matcher(value.strip());
    return m.matches() && ":?".equals(m.group(2));
  }

  /** The variable a value refers to, null when it refers to none. */
  static String variable(String value) {
    Matcher m = REFERENCE.matcher(value);
    return m.find() ? m.group(1) : null;
  }
}
