package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.wire.v1.SpanEvent;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Future and ancient timestamps, through the whole server: a span ending two days ahead (a client
 * with a wrong clock) and one three days old are rejected by the ingest with their reasons; records
 * another producer wrote with such times are dead-lettered by the aggregator, and one whose Kafka
 * timestamp lies too does not move stream time past the wall clock; a fleet where one service's
 * clock runs seconds ahead does not lose the retrievals another service exports late. A healthy
 * stream sent before, alongside and after keeps exact SLIs for every class and tenant, and health
 * stays UP.
 */
class HostileTimestampsIT {

  static final long SECOND = 1_000_000_000L;
  static final long DAY = 86_400 * SECOND;

  @Test
  void timestampsOutsideTheBoundsCostNobodyACount() throws Exception {
    // A longer grace than the default so that the clock-skew case has room for a loaded machine:
    // it needs stream time not to run ahead of the wall clock, whatever the grace.
    try (HostileTraffic t =
        new HostileTraffic("timestamps", 1, Map.of("tierscope.aggregator.grace", "10s"))) {
      List<String> tenants = List.of("acme", "globex");
      Instant from = Instant.now().minus(Duration.ofMinutes(10));
      long now = HostileTraffic.nowNanos();
      // A backfill 20 hours back (what the accuracy runs send) is accepted and counted. It comes
      // first: a span that old arriving after live traffic on its partition is late by the
      // allowed lateness (and counted as late), as it always was.
      t.sendHealthy(
          List.of("backfill"),
          12,
          now - 20 * 3600 * SECOND,
          now - 20 * 3600 * SECOND + 30 * SECOND);
      t.sendHealthy(tenants, 60, now - 120 * SECOND, now - 90 * SECOND);

      // The ingest: two days ahead and three days back are rejected, each with its reason. The
      // future span lasts 30 minutes, so that however long the request takes on a loaded machine
      // its end stays 2d0h ahead of the receiver's clock (as the ancient one stays 3d0h behind).
      now = HostileTraffic.nowNanos();
      List<ResourceSpans> hostile = new ArrayList<>();
      byte[] trace = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1};
      hostile.add(
          HostileTraffic.resource(
              "bad-clock",
              "acme",
              HostileTraffic.span(
                  trace,
                  1,
                  0,
                  "future",
                  Span.SpanKind.SPAN_KIND_CLIENT,
                  now + 2 * DAY,
                  now + 2 * DAY + 1_800 * SECOND),
              HostileTraffic.span(
                  trace,
                  2,
                  0,
                  "ancient",
                  Span.SpanKind.SPAN_KIND_CLIENT,
                  now - 3 * DAY,
                  now - 3 * DAY + SECOND)));
      HostileTraffic.Answer answer = t.post(HostileTraffic.request(hostile));
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.rejectedSpans()).isEqualTo(2);
      assertThat(answer.message())
          .contains(
              "ends 2d0h ahead of the receiver's clock (at most 5m0s allowed, tierscope.ingest.max-future-skew)")
          .contains(
              "starts 3d0h before the receiver's clock (at most 2d0h allowed, tierscope.ingest.max-age)");

      // Another producer: a span two days ahead with an honest timestamp is dead-lettered, so is
      // one three days old. One whose timestamp lies too (as far as the broker lets it: 50 minutes
      // ahead) passes the check, but must not carry stream time with it.
      t.produce(
          trace,
          future(trace, 3, (now + 2 * DAY) / 1_000, 1_800_000_000L),
          System.currentTimeMillis());
      t.produce(
          trace, future(trace, 5, (now - 3 * DAY) / 1_000, 1_000_000), System.currentTimeMillis());
      long fiftyMinutes = 50 * 60 * SECOND;
      byte[] liar = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1};
      t.produce(
          liar,
          future(liar, 4, (now + fiftyMinutes) / 1_000, 1_000_000),
          System.currentTimeMillis() + fiftyMinutes / 1_000_000);

      // Alongside: healthy traffic, with the gateway and model services' clocks 8 s ahead and the
      // retrieval service exporting 4 s after the requests ended (its batch delay).
      now = HostileTraffic.nowNanos();
      List<ResourceSpans> skewed = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        skewed.addAll(
            t.healthy(
                i % 2 == 0 ? "acme" : "globex",
                HostileTraffic.CLASSES[i % 3],
                "rag",
                now - SECOND + i * 30_000_000L,
                8 * SECOND,
                false));
      }
      HostileTraffic.assertAccepted(t.post(HostileTraffic.request(skewed)));
      Thread.sleep(4_000);
      HostileTraffic.assertAccepted(t.post(HostileTraffic.request(t.retrievalsOf())));

      // After.
      now = HostileTraffic.nowNanos();
      t.sendHealthy(tenants, 60, now - 5 * SECOND, now);

      t.assertExactSlis(from.minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofHours(1)));
      assertThat(t.ingestCount("tierscope.ingest.spans.rejected", "reason:too_far_in_future"))
          .isEqualTo(1);
      assertThat(t.ingestCount("tierscope.ingest.spans.rejected", "reason:too_old")).isEqualTo(1);
      assertThat(
              t.aggregatorCount("tierscope.aggregator.spans.rejected", "reason:too_far_in_future"))
          .isEqualTo(1);
      assertThat(t.aggregatorCount("tierscope.aggregator.spans.rejected", "reason:too_old"))
          .isEqualTo(1);
      assertThat(t.aggregatorCount("tierscope.aggregator.spans.late")).isZero();
      assertThat(t.deadLetters(2))
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("too_far_in_future: ends 2d0h ahead of the record's timestamp"))
          .anySatisfy(
              e -> assertThat(e).startsWith("too_old: starts 3d0h before the record's timestamp"));
      t.assertHealthUp();
    }
  }

  private static byte[] future(byte[] trace, long spanId, long startMicros, long durationMicros) {
    return SpanEvent.newBuilder()
        .setTraceId(com.google.protobuf.ByteString.copyFrom(trace))
        .setSpanId(
            com.google.protobuf.ByteString.copyFrom(ByteBuffer.allocate(8).putLong(spanId).array()))
        .setTenant("acme")
        .setTrafficClass("interactive_premium")
        .setStartEpochNanos(startMicros * 1_000)
        .setEndEpochNanos((startMicros + durationMicros) * 1_000)
        .build()
        .toByteArray();
  }
}
