package dev.tierscope.sdk;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

/**
 * The caller's span, read from incoming W3C trace-context headers: the steps a downstream service
 * starts from it join the caller's trace. Without valid headers it is empty and its children start
 * a new trace.
 *
 * <pre>{@code
 * // in a model server called by the gateway
 * ModelSpan m = tierscope.continueTrace(incomingHeaders).model("llama-3.1-8b");
 * }</pre>
 */
public final class RemoteParent extends SpanParent {

  private final Context context;

  RemoteParent(Tierscope owner, Context context) {
    super(owner);
    this.context = context;
  }

  @Override
  public Context context() {
    return context;
  }

  /** Whether the headers named a valid caller span. */
  public boolean isValid() {
    return Span.fromContext(context).getSpanContext().isValid();
  }

  /** The caller's trace id, or 32 zeros when {@link #isValid()} is false. */
  public String traceId() {
    return Span.fromContext(context).getSpanContext().getTraceId();
  }

  /** The caller's span id, or 16 zeros when {@link #isValid()} is false. */
  public String spanId() {
    return Span.fromContext(context).getSpanContext().getSpanId();
  }
}
