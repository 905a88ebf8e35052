package dev.tierscope.auth;

import java.util.List;

/** The token file cannot be used; the message lists every problem as {@code file:line: problem}. */
public final class TokenFileException extends IllegalStateException {

  private final List<String> problems;

  public TokenFileException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem. */
  public List<String> problems() {
    return problems;
  }
}
