package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.wire.v1.SpanEvent;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Control characters and oversized values in every string field, through the whole server: a tenant
 * with a NUL and a 70 KB tenant are rejected (the two stoppers), free text with control
 * characters, unpaired surrogates and 100 000 characters is cleaned and cut and the request
 * counted, a protobuf body with invalid UTF-8 is refused whole; records another producer wrote with
 * such tenants are dead-lettered, with such free text cleaned. A healthy stream before, alongside
 * and after keeps exact SLIs for every class and tenant, and health stays UP.
 */
class HostileStringsIT {

  static final long SECOND = 1_000_000_000L;
  static final String DIRTY = "x\u0000\u001b[2J\r\n\u0085\uD800" + "y".repeat(100_000);

  @Test
  void hostileStringsCostNobodyACount() throws Exception {
    try (HostileTraffic t = new HostileTraffic("strings", 2, Map.of())) {
      List<String> tenants = List.of("acme", "globex");
      Instant from = Instant.now().minus(Duration.ofMinutes(10));
      long now = HostileTraffic.nowNanos();
      t.sendHealthy(tenants, 60, now - 60 * SECOND, now - 40 * SECOND);

      // Tenants the API could not read: rejected, with the rule, whatever the transport.
      byte[] trace = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1};
      List<ResourceSpans> bad = new ArrayList<>();
      bad.add(
          HostileTraffic.resource(
              "svc",
              "acme\u0000",
              HostileTraffic.span(
                  trace, 1, 0, "nul", Span.SpanKind.SPAN_KIND_CLIENT, now - SECOND, now)));
      bad.add(
          HostileTraffic.resource(
              "svc",
              "t".repeat(70_000),
              HostileTraffic.span(
                  trace, 2, 0, "huge", Span.SpanKind.SPAN_KIND_CLIENT, now - SECOND, now)));
      HostileTraffic.Answer answer = t.post(HostileTraffic.request(bad));
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.rejectedSpans()).isEqualTo(2);
      assertThat(answer.message())
          .contains("tenant must match [A-Za-z0-9_.:-]{1,128}, got 'acme\uFFFD'")
          .contains("(70000 chars)")
          .hasSizeLessThan(1_000);

      // Free text in every field made hostile on otherwise healthy requests: cleaned, cut, counted.
      List<ResourceSpans> dirty = new ArrayList<>();
      for (ResourceSpans rs :
          t.healthy("acme", "interactive_premium", "rag", now - 30 * SECOND, 0, true)) {
        ResourceSpans.Builder b = rs.toBuilder();
        b.getResourceBuilder()
            .addAttributes(HostileTraffic.attr(SpanAttributes.SERVICE_NAME, DIRTY));
        for (Span.Builder s : b.getScopeSpansBuilder(0).getSpansBuilderList()) {
          for (String key :
              List.of(
                  SpanAttributes.WORKFLOW,
                  SpanAttributes.GEN_AI_TOOL_NAME,
                  SpanAttributes.GEN_AI_REQUEST_MODEL,
                  SpanAttributes.CLIENT_PATH,
                  SpanAttributes.NETWORK_PROTOCOL_VERSION,
                  SpanAttributes.NETWORK_CONNECTION_TYPE)) {
            s.addAttributes(HostileTraffic.attr(key, DIRTY));
          }
        }
        dirty.add(b.build());
      }
      int dirtySpans = dirty.stream().mapToInt(rs -> rs.getScopeSpans(0).getSpansCount()).sum();
      HostileTraffic.Answer cleaned = t.post(HostileTraffic.request(dirty));
      assertThat(cleaned.status()).isEqualTo(200);
      assertThat(cleaned.rejectedSpans()).isZero();
      assertThat(cleaned.message()).startsWith("accepted with changed values (service.name: ");

      // A protobuf body whose string is not UTF-8 is refused whole, as protobuf's rules say.
      byte[] body = HostileTraffic.request(bad.subList(0, 1)).toByteArray();
      byte[] marker = "acme".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i + 4 <= body.length; i++) {
        if (body[i] == marker[0] && body[i + 1] == marker[1] && body[i + 2] == marker[2]) {
          body[i + 1] = (byte) 0xc3;
          body[i + 2] = (byte) 0x28;
          break;
        }
      }
      HostileTraffic.Answer invalidUtf8 = t.post("application/x-protobuf", body);
      assertThat(invalidUtf8.status()).isEqualTo(400);
      assertThat(invalidUtf8.message()).contains("invalid UTF-8");

      // JSON: a tenant with a NUL escape is rejected; an unpaired surrogate in a workflow cleaned.
      String json =
          "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"tierscope.tenant\","
              + "\"value\":{\"stringValue\":\"acme\\u0000\"}}]},\"scopeSpans\":[{\"spans\":[{"
              + "\"traceId\":\"0505050505050505050505050505aaaa\",\"spanId\":\"0000000000000003\","
              + "\"startTimeUnixNano\":\""
              + (now - SECOND)
              + "\",\"endTimeUnixNano\":\""
              + now
              + "\"}]}]}]}";
      HostileTraffic.Answer jsonAnswer =
          t.post("application/json", json.getBytes(StandardCharsets.UTF_8));
      assertThat(jsonAnswer.status()).isEqualTo(200);
      assertThat(jsonAnswer.rejectedSpans()).isEqualTo(1);

      // Another producer: tenants with a NUL and of 70 KB are dead-lettered; hostile free text on a
      // valid tenant is cleaned and the request counted.
      long ms = System.currentTimeMillis();
      t.produce(trace, record(trace, 10, "acme\u0000", "rag", now), ms);
      t.produce(trace, record(trace, 11, "t".repeat(70_000), "rag", now), ms);
      byte[] other = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 1};
      t.produce(other, record(other, 12, "acme", DIRTY, now - 30 * SECOND), ms);
      t.truth.get(new HostileTraffic.Key("acme", "interactive_premium")).requests++;

      // Alongside and after.
      now = HostileTraffic.nowNanos();
      t.sendHealthy(tenants, 60, now - 20 * SECOND, now);

      t.assertExactSlis(from, Instant.now().plus(Duration.ofHours(1)));
      assertThat(t.ingestCount("tierscope.ingest.spans.rejected", "reason:invalid_tenant"))
          .isEqualTo(3);
      assertThat(t.ingestCount("tierscope.ingest.values.normalized", "field:workflow"))
          .isEqualTo(dirtySpans);
      assertThat(t.ingestCount("tierscope.ingest.values.normalized", "field:service"))
          .isEqualTo(dirtySpans);
      assertThat(t.ingestCount("tierscope.ingest.requests.rejected", "reason:undecodable"))
          .isEqualTo(1);
      assertThat(t.aggregatorCount("tierscope.aggregator.spans.rejected", "reason:invalid"))
          .isEqualTo(2);
      assertThat(t.deadLetters(2))
          .hasSize(2)
          .allSatisfy(e -> assertThat(e).startsWith("invalid: invalid_tenant: tenant must match"));
      t.assertHealthUp();
      // The API reads tenants by the ingest's rule: what was rejected cannot be asked for either.
      HttpResponse<String> api =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              t.server.apiUrl()
                                  + "/api/v1/slo?class=interactive_premium&tenant=acme%00&from=0&to="
                                  + System.currentTimeMillis()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(api.statusCode()).isEqualTo(400);
      assertThat(api.body()).contains("[A-Za-z0-9_.:-]{1,128}");
    }
  }

  private static byte[] record(
      byte[] trace, long spanId, String tenant, String workflow, long startNanos) {
    return SpanEvent.newBuilder()
        .setTraceId(ByteString.copyFrom(trace))
        .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(spanId).array()))
        .setTenant(tenant)
        .setTrafficClass("interactive_premium")
        .setWorkflow(workflow)
        .setModel(workflow)
        .setService(workflow)
        .setStartEpochNanos(startNanos)
        .setEndEpochNanos(startNanos + SECOND)
        .build()
        .toByteArray();
  }
}
