package dev.tierscope.aggregator.consumer;

import dev.tierscope.core.span.InvalidSpanException;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanDefect;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.wire.SpanBytesDecoder;
import dev.tierscope.wire.UndecodableSpanException;
import java.util.Set;

/**
 * What a record must be before it enters a partition's assembly state: decodable, valid by core's
 * span rules (the codec holds every record to them, whoever produced it), within the time bounds
 * judged against the record's Kafka timestamp (so that a replay judges a span as the ingest did
 * when it was produced), and naming a configured class or none (otherwise it counts as naming an
 * unknown class, as the ingest accepts it).
 *
 * <p>Why again, after the ingest: Kafka can be written by other producers, and by older versions
 * with other rules. One record must never be able to stop or skew a partition.
 */
final class RecordCheck {

  /**
   * A record checked: either its span, or why it is set aside.
   *
   * @param span the span to assemble; null when rejected
   * @param reason bounded reason key of a rejection ({@code undecodable}, {@code invalid}, {@code
   *     too_far_in_future}, {@code too_old}); null when accepted
   * @param message English detail of a rejection
   */
  record Checked(Span span, String reason, String message) {
    static Checked accepted(Span span) {
      return new Checked(span, null, null);
    }

    static Checked rejected(String reason, String message) {
      return new Checked(null, reason, message);
    }

    boolean isAccepted() {
      return span != null;
    }
  }

  private final SpanTimeBounds bounds;
  private final Set<String> classes;

  /**
   * @param bounds the time bounds
   * @param classes the configured class names
   */
  RecordCheck(SpanTimeBounds bounds, Set<String> classes) {
    this.bounds = bounds;
    this.classes = Set.copyOf(classes);
  }

  /**
   * @param value the record value
   * @param timestampMillis the record's Kafka timestamp, epoch milliseconds; negative when it has
   *     none (then {@code wallMillis} stands in)
   * @param wallMillis this instance's clock
   */
  Checked check(byte[] value, long timestampMillis, long wallMillis) {
    if (value == null) {
      return Checked.rejected("undecodable", "the record has no value");
    }
    Span span;
    try {
      span = SpanBytesDecoder.SPAN_EVENT_V1.decode(value);
    } catch (UndecodableSpanException e) {
      return Checked.rejected("undecodable", e.getMessage());
    } catch (InvalidSpanException e) {
      return Checked.rejected("invalid", e.defect().reason() + ": " + e.getMessage());
    }
    long reference = timestampMillis >= 0 ? timestampMillis : wallMillis;
    SpanDefect untimely = bounds.check(span.startEpochNanos(), span.endEpochNanos(), reference);
    if (untimely != null) {
      return Checked.rejected(
          untimely.reason(),
          bounds
              .problem(span.startEpochNanos(), span.endEpochNanos(), reference)
              .replace("the receiver's clock", "the record's timestamp"));
    }
    if (!span.trafficClass().isEmpty() && !classes.contains(span.trafficClass())) {
      span = span.withUnknownClass();
    }
    return Checked.accepted(span);
  }
}
