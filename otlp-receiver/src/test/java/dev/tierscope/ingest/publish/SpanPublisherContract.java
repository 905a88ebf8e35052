package dev.tierscope.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.TraceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SpanPublisher} must do; {@link InMemorySpanPublisher} (the reference) and
 * {@link KafkaSpanPublisher} (on a real broker) both run it.
 */
abstract class SpanPublisherContract {

  static final long T0 = 1_764_000_000_000_000_000L;

  /** A fresh publisher with nothing published, admitting up to {@code maxInFlightBytes}. */
  SpanPublisher publisher(long maxInFlightBytes) {
    return publisher(maxInFlightBytes, 1 << 20);
  }

  /**
   * A fresh publisher with nothing published, admitting up to {@code maxInFlightBytes}, refusing
   * records larger than about {@code maxRecordBytes} (Kafka: its {@code max.request.size}, which
   * also counts the record's overhead).
   */
  abstract SpanPublisher publisher(long maxInFlightBytes, int maxRecordBytes);

  /**
   * What has been published, as (key, span) in the order of each key; waits for at least {@code
   * expected} records, reading them back the way a reader of the topic would.
   */
  abstract List<Published> published(SpanPublisher publisher, int expected);

  /** Makes the publisher unable to take spans (Kafka: its producer closed). */
  abstract void makeUnavailable(SpanPublisher publisher);

  record Published(byte[] key, Span span) {}

  @Test
  void publishesEverySpanKeyedByItsTraceIdOnceTheFutureCompletes() throws Exception {
    SpanPublisher publisher = publisher(24 << 20);
    List<Span> spans = spans(5, 4);

    publisher.publish(spans).get(30, TimeUnit.SECONDS);

    List<Published> out = published(publisher, spans.size());
    assertThat(out).extracting(Published::span).containsExactlyInAnyOrderElementsOf(spans);
    for (Published p : out) {
      assertThat(p.key()).isEqualTo(p.span().traceId().toBytes());
    }
  }

  @Test
  void keepsTheSpansOfATraceInTheOrderPublished() throws Exception {
    SpanPublisher publisher = publisher(24 << 20);
    List<Span> first = spans(3, 5);
    List<Span> second = spans(3, 5).stream().map(s -> shifted(s, 5)).toList();

    publisher.publish(first).get(30, TimeUnit.SECONDS);
    publisher.publish(second).get(30, TimeUnit.SECONDS);

    Map<TraceId, List<Long>> expected = new LinkedHashMap<>();
    for (Span s : concat(first, second)) {
      expected.computeIfAbsent(s.traceId(), t -> new ArrayList<>()).add(s.spanId());
    }
    Map<TraceId, List<Long>> actual = new LinkedHashMap<>();
    for (Published p : published(publisher, first.size() + second.size())) {
      actual.computeIfAbsent(p.span().traceId(), t -> new ArrayList<>()).add(p.span().spanId());
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void completesAnEmptyBatchAtOnce() {
    CompletableFuture<PublishResult> done = publisher(24 << 20).publish(List.of());

    assertThat(done).isCompletedWithValue(PublishResult.ALL_ACKNOWLEDGED);
  }

  @Test
  void refusesARecordItCanNeverTakeAndPublishesTheRest() throws Exception {
    SpanPublisher publisher = publisher(24 << 20, 1_000);
    List<Span> small = spans(1, 3);
    String wide = "\u20ac".repeat(128);
    Span big =
        Span.builder()
            .traceId(small.get(0).traceId())
            .spanId(99)
            .parentSpanId(1)
            .service(wide)
            .model(wide)
            .workflow(wide)
            .toolName(wide)
            .operation(wide)
            .startEpochNanos(T0)
            .endEpochNanos(T0 + 10)
            .build();
    List<Span> batch = List.of(small.get(0), big, small.get(1), small.get(2));

    PublishResult result = publisher.publish(batch).get(30, TimeUnit.SECONDS);

    assertThat(result.refused())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.index()).isEqualTo(1);
              assertThat(r.reason()).isEqualTo(PublishResult.RECORD_TOO_LARGE);
              assertThat(r.message()).isNotBlank();
            });
    assertThat(published(publisher, 3))
        .extracting(Published::span)
        .containsExactlyInAnyOrderElementsOf(small);
  }

  @Test
  void admitsABatchLargerThanTheLimitWhenNothingWaits() throws Exception {
    SpanPublisher publisher = publisher(1);
    List<Span> spans = spans(2, 10);

    publisher.publish(spans).get(30, TimeUnit.SECONDS);

    assertThat(published(publisher, spans.size())).hasSize(spans.size());
  }

  @Test
  void refusesAtOnceWhenItCannotTakeSpans() {
    SpanPublisher publisher = publisher(24 << 20);
    makeUnavailable(publisher);

    assertThatThrownBy(() -> publisher.publish(spans(1, 3)))
        .isInstanceOfSatisfying(
            PublishRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(PublishRejectedException.Reason.UNAVAILABLE));
  }

  // ---- spans

  /** {@code traces} traces of {@code perTrace} spans, all fields that the codec carries set. */
  static List<Span> spans(int traces, int perTrace) {
    List<Span> out = new ArrayList<>();
    long seed = System.nanoTime();
    for (int t = 0; t < traces; t++) {
      TraceId trace = new TraceId(seed, t + 1);
      for (int i = 0; i < perTrace; i++) {
        long start = T0 + t * 1_000_000L + i * 1_000L;
        out.add(
            Span.builder()
                .traceId(trace)
                .spanId(i + 1)
                .parentSpanId(i == 0 ? 0 : 1)
                .service("svc-ü")
                .tenant("acme")
                .kind(i == 0 ? SpanKind.CLIENT : SpanKind.INTERNAL)
                .operation(i == 1 ? "chat" : "")
                .workflow("rag")
                .startEpochNanos(start)
                .endEpochNanos(start + 500)
                .firstTokenEpochNanos(i < 2 ? start + 100 : -1)
                .build());
      }
    }
    return out;
  }

  private static Span shifted(Span s, long by) {
    return Span.builder()
        .traceId(s.traceId())
        .spanId(s.spanId() + by)
        .parentSpanId(1)
        .startEpochNanos(s.startEpochNanos())
        .endEpochNanos(s.endEpochNanos())
        .build();
  }

  private static List<Span> concat(List<Span> a, List<Span> b) {
    List<Span> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
