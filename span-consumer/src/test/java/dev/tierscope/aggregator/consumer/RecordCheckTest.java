package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.wire.SpanBytesEncoder;
import dev.tierscope.wire.v1.SpanEvent;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a record must be before it enters a partition's state, whoever produced it. */
class RecordCheckTest {

  static final long NOW_MILLIS = 1_764_000_000_000L;
  static final long NOW = NOW_MILLIS * 1_000_000;
  static final long DAY = 86_400_000_000_000L;

  final RecordCheck check =
      new RecordCheck(SpanTimeBounds.DEFAULTS, Set.of("interactive_premium", "deferred_batch"));

  static byte[] record(long start, long end, String tenant, String cls) {
    return SpanEvent.newBuilder()
        .setTraceId(com.google.protobuf.ByteString.copyFrom(new TraceId(1, 2).toBytes()))
        .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, 3}))
        .setTenant(tenant)
        .setTrafficClass(cls)
        .setStartEpochNanos(start)
        .setEndEpochNanos(end)
        .build()
        .toByteArray();
  }

  @Test
  void acceptsAValidRecordAsTheIngestWroteIt() {
    Span span =
        Span.builder()
            .traceId(new TraceId(1, 2))
            .spanId(3)
            .tenant("acme")
            .trafficClass("deferred_batch")
            .startEpochNanos(NOW - 1_000)
            .endEpochNanos(NOW)
            .build();

    RecordCheck.Checked c = check.check(SpanBytesEncoder.SPAN_EVENT_V1.encode(span), NOW_MILLIS, 0);

    assertThat(c.isAccepted()).isTrue();
    assertThat(c.span()).isEqualTo(span);
  }

  @Test
  void setsAsideWhatIsNotASpanEvent() {
    assertThat(check.check(new byte[] {(byte) 0xff, 1}, NOW_MILLIS, 0).reason())
        .isEqualTo("undecodable");
    assertThat(check.check(null, NOW_MILLIS, 0).message()).isEqualTo("the record has no value");
  }

  @Test
  void setsAsideATenantWrittenByAnotherProducerThatTheApiCouldNotRead() {
    RecordCheck.Checked c = check.check(record(NOW, NOW, "a\u0000b", ""), NOW_MILLIS, 0);

    assertThat(c.reason()).isEqualTo("invalid");
    assertThat(c.message()).startsWith("invalid_tenant: tenant must match");
    assertThat(check.check(record(NOW, NOW, "t".repeat(70_000), ""), NOW_MILLIS, 0).reason())
        .isEqualTo("invalid");
  }

  @Test
  void judgesTimeAgainstTheRecordsTimestampSoAReplayJudgesAsTheIngestDid() {
    long twoDaysAhead = NOW + 2 * DAY;

    RecordCheck.Checked future =
        check.check(record(twoDaysAhead, twoDaysAhead, "acme", ""), NOW_MILLIS, 0);
    assertThat(future.reason()).isEqualTo("too_far_in_future");
    assertThat(future.message())
        .isEqualTo("ends 2d0h ahead of the record's timestamp (at most 5m0s allowed)");
    assertThat(
            check.check(record(NOW - 3 * DAY, NOW - 3 * DAY, "acme", ""), NOW_MILLIS, 0).reason())
        .isEqualTo("too_old");
    // Replayed a year later, a record is judged by when it was produced, not by the wall clock.
    long aYearLater = NOW_MILLIS + 365L * 86_400_000;
    assertThat(check.check(record(NOW - 1, NOW, "acme", ""), NOW_MILLIS, aYearLater).isAccepted())
        .isTrue();
    // A record without a timestamp is judged by the wall clock.
    assertThat(check.check(record(NOW - 1, NOW, "acme", ""), -1, aYearLater).reason())
        .isEqualTo("too_old");
  }

  @Test
  void readsAClassThatIsNotConfiguredAsAnUnknownClass() {
    RecordCheck.Checked c = check.check(record(NOW, NOW, "acme", "gold\u0000"), NOW_MILLIS, 0);

    assertThat(c.isAccepted()).isTrue();
    assertThat(c.span().trafficClass()).isEmpty();
    assertThat(c.span().classUnknown()).isTrue();
    assertThat(
            check
                .check(record(NOW, NOW, "acme", "deferred_batch"), NOW_MILLIS, 0)
                .span()
                .trafficClass())
        .isEqualTo("deferred_batch");
  }
}
