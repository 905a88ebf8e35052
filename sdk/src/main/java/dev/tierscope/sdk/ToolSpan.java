package dev.tierscope.sdk;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

/**
 * One tool call of an agent ({@code execute_tool}). The request's tool-chain latency runs from the
 * start of its first tool span to the end of its last; a failed tool marks the chain failed.
 */
public final class ToolSpan extends TierSpan<ToolSpan> {

  ToolSpan(Tierscope owner, Span span, Context parent) {
    super(owner, span, parent);
  }

  /** Marks the call failed (status ERROR), for example {@code fail("timeout")}. */
  public ToolSpan fail(String reason) {
    return error(reason);
  }
}
