package dev.tierscope.ingest.receiver;

import dev.tierscope.ingest.otlp.NormalizedBatch;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/**
 * How one export request ended, independent of the transport that answers it.
 *
 * @param kind accepted (possibly partially), or retry later for one of two reasons
 * @param batch what the normaliser made of the request (rejections, warnings)
 * @param message for the retry kinds, an English reason for the client; empty otherwise
 */
public record ExportOutcome(Kind kind, NormalizedBatch batch, String message) {

  /** The three ways an export ends once its body was decoded. */
  public enum Kind {
    /** Every valid span was acknowledged by Kafka: 200 / OK, with partial success if needed. */
    ACCEPTED,
    /** Kafka is unreachable or did not acknowledge in time: 503 / UNAVAILABLE, retry later. */
    UNAVAILABLE,
    /** The ingest is at its in-flight limit: 429 / UNAVAILABLE, retry later. */
    AT_CAPACITY
  }

  public ExportOutcome {
    if (kind == null || batch == null || message == null) {
      throw new IllegalArgumentException("kind, batch and message must be set");
    }
  }

  static ExportOutcome accepted(NormalizedBatch batch) {
    return new ExportOutcome(Kind.ACCEPTED, batch, "");
  }

  /**
   * The OTLP response of an accepted export: {@code partial_success} when spans were rejected (with
   * {@code rejected_spans}) or accepted with a warning ({@code rejected_spans = 0}), else empty.
   */
  public ExportTraceServiceResponse response() {
    String clientMessage = batch.clientMessage();
    if (batch.rejectedSpans() == 0 && clientMessage.isEmpty()) {
      return ExportTraceServiceResponse.getDefaultInstance();
    }
    return ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(
            ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(batch.rejectedSpans())
                .setErrorMessage(clientMessage))
        .build();
  }
}
