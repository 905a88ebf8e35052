package dev.tierscope.ingest.otlp;

import dev.tierscope.core.span.Span;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link OtlpSpanNormalizer} made of one OTLP export request: the spans to produce, and an
 * account of the ones it rejected.
 *
 * <p>The rejection fields map onto OTLP partial success: {@code rejectedSpans} is its {@code
 * rejected_spans} and {@code rejectionMessage} its {@code error_message}.
 *
 * @param accepted normalised spans, in request order
 * @param rejectedSpans number of spans rejected as invalid
 * @param rejectionMessage English description naming the first few rejected spans (hex span id, or
 *     {@code <unknown>}) and why; empty when nothing was rejected
 * @param rejectedByReason rejected spans per bounded reason key (the {@code REASON_*} constants of
 *     {@link OtlpSpanNormalizer}); empty when nothing was rejected
 * @param unknownClassSpans accepted spans that carried a {@code tierscope.class} value outside the
 *     configured set
 * @param normalizedByField accepted spans whose values were changed to fit core's limits, per field
 *     key ({@link dev.tierscope.core.span.SpanField#key()}); empty when none were
 * @param warningMessage English note for the client about spans that were accepted but not as sent
 *     (an unknown class, changed values); sent as OTLP partial success with {@code rejected_spans =
 *     0} when nothing was rejected; empty when there is nothing to say
 */
public record NormalizedBatch(
    List<Span> accepted,
    int rejectedSpans,
    String rejectionMessage,
    Map<String, Integer> rejectedByReason,
    int unknownClassSpans,
    Map<String, Integer> normalizedByField,
    String warningMessage) {

  public NormalizedBatch {
    accepted = List.copyOf(accepted);
    if (rejectedSpans < 0) {
      throw new IllegalArgumentException("rejectedSpans must be >= 0, got " + rejectedSpans);
    }
    if (rejectionMessage == null) {
      throw new IllegalArgumentException("rejectionMessage must not be null; use \"\"");
    }
    rejectedByReason = Collections.unmodifiableMap(new LinkedHashMap<>(rejectedByReason));
    normalizedByField = Collections.unmodifiableMap(new LinkedHashMap<>(normalizedByField));
    if (warningMessage == null) {
      throw new IllegalArgumentException("warningMessage must not be null; use \"\"");
    }
    if (unknownClassSpans < 0) {
      throw new IllegalArgumentException(
          "unknownClassSpans must be >= 0, got " + unknownClassSpans);
    }
  }

  /**
   * This batch with some accepted spans refused after all, one by one, by Kafka ({@code refused}
   * index into {@link #accepted()}): they count as rejected, with their reasons, and the first few
   * are named in the message.
   */
  public NormalizedBatch withRefused(
      List<dev.tierscope.ingest.publish.PublishResult.Refused> refused) {
    if (refused.isEmpty()) {
      return this;
    }
    Map<String, Integer> byReason = new LinkedHashMap<>(rejectedByReason);
    StringBuilder m = new StringBuilder();
    int shown = 0;
    for (var r : refused) {
      byReason.merge(r.reason(), 1, Integer::sum);
      if (shown < OtlpSpanNormalizer.MAX_REJECTIONS_DESCRIBED) {
        Span span = accepted.get(r.index());
        m.append(shown == 0 ? "" : "; ")
            .append("span ")
            .append(String.format("%016x", span.spanId()))
            .append(": ")
            .append(r.message());
        shown++;
      }
    }
    if (refused.size() > shown) {
      m.append("; and ").append(refused.size() - shown).append(" more");
    }
    int total = rejectedSpans + refused.size();
    String refusal =
        "refused by Kafka " + refused.size() + (refused.size() == 1 ? " span: " : " spans: ") + m;
    String message =
        rejectionMessage.isEmpty()
            ? "rejected " + total + (total == 1 ? " span: " : " spans: ") + refusal
            : rejectionMessage + "; " + refusal;
    List<Span> kept = new java.util.ArrayList<>(accepted);
    java.util.Set<Integer> gone = new java.util.HashSet<>();
    refused.forEach(r -> gone.add(r.index()));
    for (int i = accepted.size() - 1; i >= 0; i--) {
      if (gone.contains(i)) {
        kept.remove(i);
      }
    }
    return new NormalizedBatch(
        kept, total, message, byReason, unknownClassSpans, normalizedByField, warningMessage);
  }

  /**
   * What OTLP partial success says about this batch: the rejection message, else the warning; empty
   * when the request was fully accepted as sent.
   */
  public String clientMessage() {
    if (!rejectionMessage.isEmpty()) {
      return warningMessage.isEmpty() ? rejectionMessage : rejectionMessage + "; " + warningMessage;
    }
    return warningMessage;
  }
}
