package dev.tierscope.core.classes;

import java.util.List;

/**
 * Where an objective (or a class rule) was configured: a spec file position, properties, or the
 * built-in defaults.
 *
 * @param type which of the three
 * @param file the spec file as configured, null unless {@link Type#FILE}
 * @param line 1-based line in the file, 0 unless {@link Type#FILE}
 * @param column 1-based column in the file, 0 unless {@link Type#FILE}
 * @param properties the property names that set it, empty unless {@link Type#PROPERTY}
 */
public record ObjectiveSource(
    Type type, String file, int line, int column, List<String> properties) {

  /** Kind of source. */
  public enum Type {
    DEFAULT,
    PROPERTY,
    FILE
  }

  /** The built-in defaults ({@link TrafficClasses#defaults()}). */
  public static final ObjectiveSource DEFAULT = new ObjectiveSource(Type.DEFAULT, null, 0, 0, null);

  public ObjectiveSource {
    if (type == null) {
      throw new IllegalArgumentException("type is required");
    }
    properties = properties == null ? List.of() : List.copyOf(properties);
    if (type == Type.FILE && (file == null || line < 1 || column < 1)) {
      throw new IllegalArgumentException("a file source needs a file, a line and a column");
    }
    if (type == Type.PROPERTY && properties.isEmpty()) {
      throw new IllegalArgumentException("a property source needs the property names");
    }
  }

  /** A position in a spec file (1-based line and column). */
  public static ObjectiveSource file(String file, int line, int column) {
    return new ObjectiveSource(Type.FILE, file, line, column, List.of());
  }

  /** Set by these properties. */
  public static ObjectiveSource properties(List<String> names) {
    return new ObjectiveSource(Type.PROPERTY, null, 0, 0, names);
  }

  /** {@code file:line:column}, {@code property a, b} or {@code default}. */
  public String describe() {
    return switch (type) {
      case FILE -> file + ":" + line + ":" + column;
      case PROPERTY -> "property " + String.join(", ", properties);
      case DEFAULT -> "default";
    };
  }

  @Override
  public String toString() {
    return describe();
  }
}
