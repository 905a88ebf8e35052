package dev.tierscope.wire;

/** Bytes that are not a span message at all (not protobuf, or not a {@code SpanEvent}). */
public final class UndecodableSpanException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  UndecodableSpanException(String message, Throwable cause) {
    super(message, cause);
  }
}
