package dev.tierscope.core.classes;

/**
 * One error in the configuration of classes: where it is and what is wrong.
 *
 * @param where a spec file as configured, or {@code property <name>}
 * @param line 1-based line in the file, 0 when the problem has no position
 * @param column 1-based column, 0 when the problem has no position
 * @param message what is wrong and how to fix it
 */
public record SpecProblem(String where, int line, int column, String message) {

  public SpecProblem {
    if (where == null || message == null) {
      throw new IllegalArgumentException("where and message are required");
    }
  }

  /** A problem at a source: its file position, its properties, or nowhere for defaults. */
  public static SpecProblem at(ObjectiveSource source, String message) {
    return switch (source.type()) {
      case FILE -> new SpecProblem(source.file(), source.line(), source.column(), message);
      case PROPERTY -> new SpecProblem(source.describe(), 0, 0, message);
      case DEFAULT -> new SpecProblem("defaults", 0, 0, message);
    };
  }

  /** {@code file:line:column: message}, as compilers print it. */
  @Override
  public String toString() {
    return line > 0 ? where + ":" + line + ":" + column + ": " + message : where + ": " + message;
  }
}
