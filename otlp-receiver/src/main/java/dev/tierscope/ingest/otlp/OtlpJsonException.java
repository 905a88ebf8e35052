package dev.tierscope.ingest.otlp;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An OTLP/JSON body that cannot be decoded; the message names the JSON path and the problem, e.g.
 * {@code resourceSpans[0].scopeSpans[0].spans[2].traceId: expected hex, got "AAECAw=="}.
 */
public final class OtlpJsonException extends Exception {

  private final String problem;
  private final Deque<String> path = new ArrayDeque<>();

  OtlpJsonException(String problem) {
    super(problem, null, false, false);
    this.problem = problem;
  }

  /** Prepends a path segment ({@code "spans[2]"}, {@code "traceId"}) as the error travels up. */
  OtlpJsonException at(String segment) {
    path.addFirst(segment);
    return this;
  }

  @Override
  public String getMessage() {
    if (path.isEmpty()) {
      return problem;
    }
    StringBuilder m = new StringBuilder();
    for (String segment : path) {
      if (m.length() > 0 && segment.charAt(0) != '[') {
        m.append('.');
      }
      m.append(segment);
    }
    return m.append(": ").append(problem).toString();
  }
}
