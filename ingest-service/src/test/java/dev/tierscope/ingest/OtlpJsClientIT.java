package dev.tierscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenTelemetry JS SDK (from npm, run by Node) exporting to the ingest through its JSON and its
 * protobuf OTLP/HTTP exporters. These exporters send chunked bodies without a Content-Length, hex
 * ids, integer enums and int64 as strings.
 *
 * <p>Needs {@code node} and {@code npm} on the PATH; installs the packages of {@code
 * src/test/js/package.json} with {@code npm ci} when {@code node_modules} is missing ({@code
 * .ci/run} installs them before the build).
 */
class OtlpJsClientIT {

  static final long T0_NANOS = 1_767_225_600_000_000_000L;
  static final long MS = 1_000_000L;

  @BeforeAll
  static void installJsClients() throws Exception {
    JsClients.installed();
  }

  @ParameterizedTest(name = "{0} exporter, compression {1}")
  @CsvSource({"json, none", "proto, none", "json, gzip"})
  void openTelemetryJsExporterDeliversANormalisedTrace(String protocol, String compression)
      throws Exception {
    RunningIngest ingest = SharedIngest.ingest();

    JsClients.Run result =
        JsClients.exportSpans(
            ingest.tracesUrl(),
            protocol,
            compression.equals("none") ? null : compression,
            Map.of());

    assertThat(result.exit()).as("node output:\n%s", result.output()).isZero();
    String traceId = result.field("traceId");
    List<SpanEvent> events = SharedIngest.topic().trace(traceId, 3);
    assertThat(events).hasSize(3);
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.getService()).isEqualTo("js-chat-" + protocol);
              assertThat(e.getTenant()).isEqualTo("js-tenant");
            });

    SpanEvent client = SdkTraces.byRole(events, Role.ROLE_CLIENT);
    assertThat(OtlpHttpIT.hex(client.getSpanId())).isEqualTo(result.field("POST /chat"));
    assertThat(client.getTrafficClass()).isEqualTo(SpanAttributes.Classes.INTERACTIVE_PREMIUM);
    assertThat(client.getStartEpochNanos()).isEqualTo(T0_NANOS);
    assertThat(client.getEndEpochNanos()).isEqualTo(T0_NANOS + 1000 * MS);
    assertThat(client.getFirstTokenEpochNanos()).isEqualTo(T0_NANOS + 420 * MS);
    assertThat(client.getStreamed()).isTrue();
    assertThat(client.getClientPath()).isEqualTo("mobile");
    assertThat(client.getProtocolVersion()).isEqualTo("2");
    assertThat(client.getRetransmits()).isEqualTo(3);

    SpanEvent gateway = SdkTraces.byRole(events, Role.ROLE_GATEWAY);
    assertThat(gateway.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(gateway.getFirstTokenEpochNanos()).isEqualTo(T0_NANOS + 370 * MS);

    SpanEvent model = SdkTraces.byRole(events, Role.ROLE_MODEL);
    assertThat(model.getParentSpanId()).isEqualTo(gateway.getSpanId());
    assertThat(model.getModel()).isEqualTo("llama-3.1-8b");
    assertThat(model.getInputTokens()).isEqualTo(1200);
    assertThat(model.getOutputTokens()).isEqualTo(350);
    assertThat(model.getModelQueueMicros()).isEqualTo(12_500);
    assertThat(model.getFirstTokenEpochNanos()).isEqualTo(T0_NANOS + 300 * MS);
  }
}
