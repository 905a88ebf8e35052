package dev.tierscope.ingest.publish;

import dev.tierscope.core.span.Span;
import dev.tierscope.wire.SpanBytesDecoder;
import dev.tierscope.wire.SpanBytesEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The reference {@link SpanPublisher}: keeps the records it would have produced (the trace id as
 * key, the encoded span as value) in memory and acknowledges them at once. It passes the same
 * contract test as {@link KafkaSpanPublisher}, and stands in for Kafka in tests and embedded use.
 *
 * <p>Thread-safe. {@link #close()} makes it refuse further spans, as a closed Kafka producer does;
 * a record whose key and value together exceed {@code maxRecordBytes} is refused for itself ({@link
 * PublishResult#RECORD_TOO_LARGE}), as Kafka refuses one over its {@code max.request.size}.
 */
public final class InMemorySpanPublisher implements SpanPublisher, AutoCloseable {

  /**
   * One record as the spans topic would hold it.
   *
   * @param key the trace id, 16 bytes
   * @param value the span, encoded by {@link SpanBytesEncoder#SPAN_EVENT_V1}
   */
  public record Record(byte[] key, byte[] value) {
    /** The span of the value. */
    public Span span() {
      return SpanBytesDecoder.SPAN_EVENT_V1.decode(value);
    }
  }

  private final List<Record> records = new ArrayList<>();
  private final int maxRecordBytes;
  private boolean closed;

  /** A publisher that takes records of any size. */
  public InMemorySpanPublisher() {
    this(Integer.MAX_VALUE);
  }

  /**
   * @param maxRecordBytes largest key plus value it takes, as Kafka's {@code max.request.size}
   */
  public InMemorySpanPublisher(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public synchronized CompletableFuture<PublishResult> publish(List<Span> spans) {
    if (closed) {
      throw new PublishRejectedException(
          PublishRejectedException.Reason.UNAVAILABLE, "the publisher is closed", null);
    }
    List<PublishResult.Refused> refused = new ArrayList<>();
    for (int i = 0; i < spans.size(); i++) {
      Span span = spans.get(i);
      Record record =
          new Record(span.traceId().toBytes(), SpanBytesEncoder.SPAN_EVENT_V1.encode(span));
      int size = record.key().length + record.value().length;
      if (size > maxRecordBytes) {
        refused.add(
            new PublishResult.Refused(
                i,
                PublishResult.RECORD_TOO_LARGE,
                "the record is " + size + " bytes, more than the " + maxRecordBytes + " taken"));
      } else {
        records.add(record);
      }
    }
    return CompletableFuture.completedFuture(
        refused.isEmpty() ? PublishResult.ALL_ACKNOWLEDGED : new PublishResult(refused));
  }

  /** Every record published so far, in order. */
  public synchronized List<Record> records() {
    return List.copyOf(records);
  }

  /** The spans published so far, in order, read back from their records. */
  public synchronized List<Span> spans() {
    return records.stream().map(Record::span).toList();
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
