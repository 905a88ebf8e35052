package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A huge trace, through the whole server: one trace of 3 000 spans (the aggregator's per-trace cap
 * lowered to 500 for the test) is assembled up to the cap, the rest of its spans counted as over
 * the cap, and it counts as one request; a body over the size limit is refused whole (413). A
 * healthy stream before, alongside and after keeps exact SLIs for every class and tenant, and
 * health stays UP.
 */
class HugeTraceIT {

  static final long SECOND = 1_000_000_000L;

  @Test
  void aHugeTraceCostsNobodyACount() throws Exception {
    try (HostileTraffic t =
        new HostileTraffic(
            "huge",
            3,
            Map.of(
                "tierscope.aggregator.max-spans-per-trace", "500",
                "tierscope.ingest.max-body-size", "2MB"))) {
      List<String> tenants = List.of("acme", "globex");
      Instant from = Instant.now().minus(Duration.ofMinutes(10));
      long now = HostileTraffic.nowNanos();
      t.sendHealthy(tenants, 60, now - 60 * SECOND, now - 40 * SECOND);

      // One trace, 3 000 spans: its root (with the class) first, then children, in 6 requests.
      byte[] trace = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1};
      long start = now - 30 * SECOND;
      List<Span.Builder> spans = new ArrayList<>();
      spans.add(
          HostileTraffic.span(
                  trace, 1, 0, "root", Span.SpanKind.SPAN_KIND_CLIENT, start, start + 20 * SECOND)
              .addAttributes(HostileTraffic.attr(SpanAttributes.CLASS, "deferred_batch")));
      for (long id = 2; id <= 3_000; id++) {
        spans.add(
            HostileTraffic.span(
                trace,
                id,
                1,
                "step",
                Span.SpanKind.SPAN_KIND_INTERNAL,
                start + id * 1_000,
                start + id * 2_000));
      }
      for (int i = 0; i < spans.size(); i += 500) {
        List<ResourceSpans> one =
            List.of(
                HostileTraffic.resource(
                    "agent", "huge", spans.subList(i, i + 500).toArray(Span.Builder[]::new)));
        HostileTraffic.assertAccepted(t.post(HostileTraffic.request(one)));
      }
      HostileTraffic.Truth huge = new HostileTraffic.Truth();
      huge.requests = 1;
      t.truth.put(new HostileTraffic.Key("huge", "deferred_batch"), huge);

      // A body over the limit is refused whole, before it is read past the limit.
      byte[] big = new byte[3 << 20];
      HostileTraffic.Answer tooLarge = t.post("application/x-protobuf", big);
      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.message()).contains("tierscope.ingest.max-body-size");

      now = HostileTraffic.nowNanos();
      t.sendHealthy(tenants, 60, now - 20 * SECOND, now);

      t.assertExactSlis(from, Instant.now().plus(Duration.ofHours(1)));
      assertThat(t.aggregatorCount("tierscope.aggregator.spans.rejected", "reason:trace_too_large"))
          .isEqualTo(2_500);
      assertThat(t.ingestCount("tierscope.ingest.requests.rejected", "reason:too_large"))
          .isEqualTo(1);
      t.assertHealthUp();
    }
  }
}
