package dev.tierscope.ingest.publish;

import dev.tierscope.core.span.Span;
import dev.tierscope.ingest.publish.PublishRejectedException.Reason;
import dev.tierscope.wire.SpanBytesEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Produces each span to the spans topic, encoded by {@link SpanBytesEncoder#SPAN_EVENT_V1} and
 * keyed by its trace id, so all spans of a request land on one partition. The producer is
 * configured with {@code acks=all} and idempotence.
 *
 * <p>Why an in-flight limit of its own: when Kafka is slow or gone, the producer's buffer fills and
 * {@code send()} then blocks the request thread for {@code max.block.ms} per record. Counting the
 * bytes handed to the producer and not yet acknowledged, and refusing a request at once when the
 * count is over {@code maxInFlightBytes}, keeps every request's wait bounded and tells clients to
 * back off (429) instead of piling more into a stuck buffer. A request is always admitted when
 * nothing is in flight, so a batch larger than the limit still goes through alone.
 *
 * <p>A record Kafka refuses for itself (larger than {@code max.request.size} or the broker's {@code
 * message.max.bytes}, or invalid) fails only that record: it is listed in the {@link
 * PublishResult}, and the rest of the batch is published. Retrying it would fail the same way, so
 * it must not turn the whole request into "retry later".
 *
 * <p>A send that fails (or is never acknowledged in time) may still have reached Kafka; a client
 * that retries after a 503 can therefore produce a duplicate. Duplicates are removed by span id
 * where spans are assembled (aggregator); the ingest guarantees the other direction: a 200 means
 * every accepted span is durable.
 */
public final class KafkaSpanPublisher implements SpanPublisher {

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final long maxInFlightBytes;
  private final AtomicLong inFlightBytes = new AtomicLong();

  /**
   * @param producer an {@code acks=all}, idempotent producer of byte arrays
   * @param topic the spans topic
   * @param maxInFlightBytes bytes (keys + values) that may wait for acknowledgement at once
   */
  public KafkaSpanPublisher(
      Producer<byte[], byte[]> producer, String topic, long maxInFlightBytes) {
    if (maxInFlightBytes < 1) {
      throw new IllegalArgumentException("maxInFlightBytes must be positive");
    }
    this.producer = producer;
    this.topic = topic;
    this.maxInFlightBytes = maxInFlightBytes;
  }

  /** Bytes handed to the producer and not yet acknowledged or failed. */
  public long inFlightBytes() {
    return inFlightBytes.get();
  }

  @Override
  public CompletableFuture<PublishResult> publish(List<Span> spans) {
    CompletableFuture<PublishResult> all = new CompletableFuture<>();
    int n = spans.size();
    if (n == 0) {
      all.complete(PublishResult.ALL_ACKNOWLEDGED);
      return all;
    }
    byte[][] keys = new byte[n][];
    byte[][] values = new byte[n][];
    long total = 0;
    for (int i = 0; i < n; i++) {
      Span span = spans.get(i);
      keys[i] = span.traceId().toBytes();
      values[i] = SpanBytesEncoder.SPAN_EVENT_V1.encode(span);
      total += keys[i].length + values[i].length;
    }
    reserve(total);

    AtomicInteger remaining = new AtomicInteger(n);
    List<PublishResult.Refused> refused = new ArrayList<>(0);
    int sent = 0;
    try {
      for (; sent < n; sent++) {
        if (all.isDone()) {
          // An earlier record already failed (the producer reports metadata and buffer timeouts
          // through the callback): the request is lost anyway, do not wait max.block.ms per span.
          break;
        }
        long size = keys[sent].length + values[sent].length;
        int index = sent;
        producer.send(
            new ProducerRecord<>(topic, keys[sent], values[sent]),
            (meta, e) -> {
              inFlightBytes.addAndGet(-size);
              if (e != null && refusedForItself(e) != null) {
                synchronized (refused) {
                  refused.add(
                      new PublishResult.Refused(
                          index,
                          refusedForItself(e),
                          "Kafka refused the record ("
                              + e.getClass().getSimpleName()
                              + ": "
                              + e.getMessage()
                              + ")"));
                }
              } else if (e != null) {
                all.completeExceptionally(e);
                return;
              }
              if (remaining.decrementAndGet() == 0) {
                synchronized (refused) {
                  all.complete(
                      refused.isEmpty()
                          ? PublishResult.ALL_ACKNOWLEDGED
                          : new PublishResult(
                              refused.stream()
                                  .sorted(
                                      java.util.Comparator.comparingInt(
                                          PublishResult.Refused::index))
                                  .toList()));
                }
              }
            });
      }
    } catch (KafkaException | IllegalStateException e) {
      // Thrown (not called back) for an interrupt, or (IllegalStateException) a closed producer:
      // nothing from `sent` on was handed over.
      release(keys, values, sent);
      throw new PublishRejectedException(
          Reason.UNAVAILABLE, "Kafka did not accept the spans: " + e.getMessage(), e);
    }
    release(keys, values, sent);
    return all;
  }

  /**
   * The reason key when Kafka refused a record for what it is (retrying it would fail the same
   * way), null for a failure of the connection, the broker or time.
   */
  static String refusedForItself(Exception e) {
    if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
      return PublishResult.RECORD_TOO_LARGE;
    }
    if (e instanceof InvalidRecordException) {
      return PublishResult.RECORD_INVALID;
    }
    return null;
  }

  private void reserve(long bytes) {
    while (true) {
      long current = inFlightBytes.get();
      if (current > 0 && current + bytes > maxInFlightBytes) {
        throw new PublishRejectedException(
            Reason.AT_CAPACITY,
            current
                + " bytes are waiting for Kafka's acknowledgement (limit "
                + maxInFlightBytes
                + ", tierscope.ingest.max-in-flight)",
            null);
      }
      if (inFlightBytes.compareAndSet(current, current + bytes)) {
        return;
      }
    }
  }

  /** Gives back the reservation of the records from {@code from} on, which were never sent. */
  private void release(byte[][] keys, byte[][] values, int from) {
    long unsent = 0;
    for (int i = from; i < keys.length; i++) {
      unsent += keys[i].length + values[i].length;
    }
    if (unsent > 0) {
      inFlightBytes.addAndGet(-unsent);
    }
  }
}
