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
 * @param warningMessage English note for the client about spans that were accepted but not as sent
 *     (an unknown class); sent as OTLP partial success with {@code rejected_spans = 0} when nothing
 *     was rejected; empty when there is nothing to say
 */
public record NormalizedBatch(
    List<Span> accepted,
    int rejectedSpans,
    String rejectionMessage,
    Map<String, Integer> rejectedByReason,
    int unknownClassSpans,
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
    if (warningMessage == null) {
      throw new IllegalArgumentException("warningMessage must not be null; use \"\"");
    }
    if (unknownClassSpans < 0) {
      throw new IllegalArgumentException(
          "unknownClassSpans must be >= 0, got " + unknownClassSpans);
    }
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
