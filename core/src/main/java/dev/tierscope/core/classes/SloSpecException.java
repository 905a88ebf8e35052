package dev.tierscope.core.classes;

import java.util.List;

/**
 * The configuration of classes is invalid; carries every problem found, not only the first.
 * Start-up stops with it, and the {@code validate} command prints the same lines.
 */
public final class SloSpecException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final transient List<SpecProblem> problems;

  public SloSpecException(String subject, List<SpecProblem> problems) {
    super(message(subject, problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in file order. */
  public List<SpecProblem> problems() {
    return problems;
  }

  private static String message(String subject, List<SpecProblem> problems) {
    StringBuilder b =
        new StringBuilder(subject)
            .append(" is invalid (")
            .append(problems.size())
            .append(problems.size() == 1 ? " error):" : " errors):");
    for (SpecProblem p : problems) {
      b.append(System.lineSeparator()).append("  ").append(p);
    }
    return b.toString();
  }
}
