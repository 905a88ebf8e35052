package dev.tierscope.core.classes;

import java.util.regex.Pattern;

/**
 * One condition of a class rule: the value of one span or resource attribute compared with
 * equality, a prefix or a regular expression that must match the whole value. An absent attribute
 * matches nothing.
 *
 * @param attribute attribute key, e.g. {@code service.name}, {@code http.route}
 * @param op how the value is compared
 * @param value the expected value, the prefix, or the pattern's text
 */
public record AttributeCondition(String attribute, Op op, String value) {

  /** Comparison of a condition. */
  public enum Op {
    EQUALS("equals"),
    PREFIX("prefix"),
    REGEX("regex");

    private final String id;

    Op(String id) {
      this.id = id;
    }

    /** The spec file's key. */
    public String id() {
      return id;
    }
  }

  public AttributeCondition {
    if (attribute == null || attribute.isEmpty() || op == null || value == null) {
      throw new IllegalArgumentException("attribute, op and value are required");
    }
    if (op == Op.REGEX) {
      // fails fast at configuration: PatternSyntaxException is an IllegalArgumentException
      Pattern.compile(value);
    }
  }

  /** A compiled form; the record stays a plain value. */
  Matcher matcher() {
    return switch (op) {
      case EQUALS -> value::equals;
      case PREFIX -> v -> v.startsWith(value);
      case REGEX -> {
        Pattern p = Pattern.compile(value);
        yield v -> p.matcher(v).matches();
      }
    };
  }

  /** Tests one attribute value (never null). */
  interface Matcher {
    boolean test(String actual);
  }
}
