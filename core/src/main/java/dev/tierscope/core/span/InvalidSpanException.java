package dev.tierscope.core.span;

/**
 * A span broke one of the {@link SpanDefect} rules; the message says which value, in English.
 *
 * <p>Thrown per bad record on hot paths and always caught there, so it carries no stack trace.
 */
public final class InvalidSpanException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient SpanDefect defect;

  public InvalidSpanException(SpanDefect defect, String message) {
    super(message);
    this.defect = defect;
  }

  /** The rule that was broken. */
  public SpanDefect defect() {
    return defect;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
