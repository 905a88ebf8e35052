package dev.tierscope.ingest;

import com.google.protobuf.ByteString;
import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** OTLP requests built by hand for the ITs: random ids, valid times, optional attributes. */
final class TestSpans {

  /** 2026-01-01T00:00:00Z in nanoseconds. */
  static final long START_NANOS = 1_767_225_600_000_000_000L;

  private TestSpans() {}

  static String newTraceId() {
    return hex(16);
  }

  static String newSpanId() {
    return hex(8);
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zero
    return HexFormat.of().formatHex(b);
  }

  static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  /** A valid INTERNAL span of one second. */
  static Span.Builder span(String traceId, String spanId) {
    return Span.newBuilder()
        .setTraceId(id(traceId))
        .setSpanId(id(spanId))
        .setName("step")
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(START_NANOS + 1_000_000_000L);
  }

  /** One resource ({@code service.name = it}) with one scope holding the spans. */
  static ExportTraceServiceRequest request(Span.Builder... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (Span.Builder s : spans) {
      scope.addSpans(s);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", "it")))
                .addScopeSpans(scope))
        .build();
  }

  /** A valid request of {@code n} spans of one new trace; the trace id is its first span's. */
  static ExportTraceServiceRequest validTrace(int n) {
    String trace = newTraceId();
    Span.Builder[] spans = new Span.Builder[n];
    for (int i = 0; i < n; i++) {
      spans[i] =
          span(trace, newSpanId())
              .addAttributes(attr(SpanAttributes.CLASS, SpanAttributes.Classes.DEFERRED_BATCH));
    }
    return request(spans);
  }

  static ByteString traceIdOf(ExportTraceServiceRequest request) {
    return request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId();
  }

  static int spanCount(ExportTraceServiceRequest request) {
    int n = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
