package dev.tierscope.sdk;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Instant;

/**
 * A retrieval step (vector search, document fetch). Its result feeds the {@code retrieval_fallback}
 * SLI: did it find usable context, and if not, was the answer served by a fallback path.
 *
 * <pre>{@code
 * RetrievalSpan r = request.retrieval();
 * List<Doc> docs = index.search(query);
 * boolean hit = !docs.isEmpty();
 * if (!hit) docs = broaderSearch(query);
 * r.end(hit, !hit);
 * }</pre>
 */
public final class RetrievalSpan extends TierSpan<RetrievalSpan> {

  RetrievalSpan(Tierscope owner, Span span, Context parent) {
    super(owner, span, parent);
  }

  /** Whether the retrieval found usable context ({@code tierscope.retrieval.hit}). */
  public RetrievalSpan hit(boolean hit) {
    span.setAttribute(SpanAttributes.RETRIEVAL_HIT, hit);
    return this;
  }

  /** Whether a miss was served by a fallback path ({@code tierscope.retrieval.fallback}). */
  public RetrievalSpan fallback(boolean fallback) {
    span.setAttribute(SpanAttributes.RETRIEVAL_FALLBACK, fallback);
    return this;
  }

  /** Records the result and ends the span now. */
  public void end(boolean hit, boolean fallback) {
    end(hit, fallback, null);
  }

  /** Records the result and ends the span at {@code end} (now when null). */
  public void end(boolean hit, boolean fallback, Instant end) {
    hit(hit).fallback(fallback).end(end);
  }
}
