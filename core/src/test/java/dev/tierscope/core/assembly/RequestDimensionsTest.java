package dev.tierscope.core.assembly;

import static dev.tierscope.core.assembly.Assemble.summaryOf;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static dev.tierscope.core.testing.SpanBuilder.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.window.Dimension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which span each dimension comes from, and the closed sets. */
class RequestDimensionsTest {

  @Test
  void eachDimensionComesFromItsSpan() {
    RequestSummary r =
        summaryOf(
            List.of(
                client(1)
                    .at(0, 3_000_000)
                    .firstTokenAt(900_000)
                    .transport("vpn", "2", true, 3)
                    .dimensions("wifi", "web-app", "", "device-region")
                    .build(),
                server(2, 1)
                    .at(100_000, 2_950_000)
                    .firstTokenAt(750_000)
                    .dimensions("wired", "gateway", "gpt-4o", "eu-west-1")
                    .build(),
                span(3)
                    .parent(2)
                    .role(SpanRole.MODEL)
                    .kind(SpanKind.CLIENT)
                    .operation("chat")
                    .at(320_000, 2_900_000)
                    .firstTokenAt(700_000)
                    .dimensions("", "vllm-eu", "llama-3-70b", "eu-central-1")
                    .build()));

    assertThat(Dimension.CLIENT_PATH.valueOf(r)).isEqualTo("vpn");
    assertThat(Dimension.PROTOCOL_VERSION.valueOf(r)).isEqualTo("2");
    assertThat(Dimension.CONNECTION_TYPE.valueOf(r)).isEqualTo("wifi");
    assertThat(Dimension.REGION.valueOf(r)).isEqualTo("eu-west-1");
    assertThat(Dimension.MODEL.valueOf(r)).isEqualTo("llama-3-70b");
    assertThat(Dimension.SERVICE.valueOf(r)).isEqualTo("vllm-eu");
  }

  @Test
  void theRetrievalServiceIsTheServiceOfTheSlowestRetrievalSpan() {
    RequestSummary r =
        summaryOf(
            List.of(
                client(1).at(0, 3_000_000).firstTokenAt(900_000).build(),
                server(2, 1).at(100_000, 2_950_000).firstTokenAt(750_000).build(),
                span(3)
                    .parent(2)
                    .role(SpanRole.RETRIEVAL)
                    .at(110_000, 150_000)
                    .dimensions("", "retriever-a", "", "us-east-1")
                    .build(),
                span(4)
                    .parent(2)
                    .role(SpanRole.RETRIEVAL)
                    .at(150_000, 310_000)
                    .dimensions("", "retriever-b", "", "eu-central-1")
                    .build(),
                span(5)
                    .parent(2)
                    .role(SpanRole.MODEL)
                    .kind(SpanKind.CLIENT)
                    .operation("chat")
                    .at(320_000, 2_900_000)
                    .firstTokenAt(700_000)
                    .dimensions("", "vllm", "llama", "")
                    .build()));
    assertThat(r.retrievals()).isEqualTo(2);
    assertThat(Dimension.RETRIEVAL_SERVICE.valueOf(r)).isEqualTo("retriever-b");
    assertThat(Dimension.SERVICE.valueOf(r)).isEqualTo("vllm");
    RequestSummary none =
        summaryOf(List.of(client(1).at(0, 3_000_000).firstTokenAt(900_000).build()));
    assertThat(Dimension.RETRIEVAL_SERVICE.valueOf(none)).isEqualTo(Dimension.UNKNOWN);
  }

  @Test
  void theDimensionsSurviveASnapshotOfTheOpenRequest() {
    AssemblyConfig config = Assemble.config("standard_interactive");
    RequestAssembler before = new RequestAssembler(config);
    before.add(
        client(1)
            .at(0, 3_000_000)
            .firstTokenAt(900_000)
            .transport("sase", "3", false, 0)
            .dimensions("cell", "web-app", "", "")
            .build());
    before.add(
        server(2, 1)
            .at(100_000, 2_950_000)
            .firstTokenAt(750_000)
            .dimensions("", "gateway", "", "fra-pop")
            .build());
    before.add(
        span(3)
            .parent(2)
            .role(SpanRole.MODEL)
            .kind(SpanKind.CLIENT)
            .operation("chat")
            .at(320_000, 2_900_000)
            .firstTokenAt(700_000)
            .dimensions("", "vllm-eu", "llama-3-70b", "")
            .build());
    before.add(
        span(4)
            .parent(2)
            .role(SpanRole.RETRIEVAL)
            .at(120_000, 300_000)
            .dimensions("", "retriever-eu", "", "eu-central-1")
            .build());

    RequestAssembler after = new RequestAssembler(config);
    after.restore(before.snapshot());
    RequestSummary r = Assemble.complete(after, config);

    assertThat(r.connectionType()).isEqualTo("cell");
    assertThat(r.region()).isEqualTo("fra-pop");
    assertThat(r.model()).isEqualTo("llama-3-70b");
    assertThat(r.service()).isEqualTo("vllm-eu");
    assertThat(r.retrievalService()).isEqualTo("retriever-eu");
    assertThat(r.clientPath()).isEqualTo("sase");
    assertThat(r.protocolVersion()).isEqualTo("3");
  }

  @Test
  void aRequestWithoutClientOrModelSpanIsUnknownThereAndTakesTheGatewaysModel() {
    RequestSummary r =
        summaryOf(
            List.of(
                server(2, 0)
                    .at(100_000, 2_950_000)
                    .firstTokenAt(750_000)
                    .dimensions("", "gateway", "gpt-4o", "")
                    .build()));

    assertThat(Dimension.CLIENT_PATH.valueOf(r)).isEqualTo(Dimension.UNKNOWN);
    assertThat(Dimension.CONNECTION_TYPE.valueOf(r)).isEqualTo(Dimension.UNKNOWN);
    assertThat(Dimension.PROTOCOL_VERSION.valueOf(r)).isEqualTo(Dimension.UNKNOWN);
    assertThat(Dimension.REGION.valueOf(r)).isEqualTo(Dimension.UNKNOWN);
    assertThat(Dimension.MODEL.valueOf(r)).isEqualTo("gpt-4o");
    assertThat(Dimension.SERVICE.valueOf(r)).isEqualTo(Dimension.UNKNOWN);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "clientPath, VPN, vpn",
    "clientPath, satellite, other",
    "clientPath, '', unknown",
    "connectionType, cell, cell",
    "connectionType, ethernet, other",
    "protocolVersion, 1.1, 1.1",
    "protocolVersion, 2.0, 2",
    "protocolVersion, 3, 3",
    "protocolVersion, 4, other",
    "model, Some-Model, Some-Model",
    "region, '', unknown",
  })
  void closedSetsMapOutsidersToOtherAndCappedOnesKeepTheText(
      String dimension, String raw, String expected) {
    assertThat(Dimension.fromId(dimension).normalize(raw)).isEqualTo(expected);
  }

  @Test
  void closedDimensionsListEveryValueTheyCanTake() {
    assertThat(Dimension.CLIENT_PATH.closedValues())
        .containsExactly("direct", "vpn", "sase", "mobile", "other", "unknown");
    assertThat(Dimension.PROTOCOL_VERSION.closedValues())
        .containsExactly("1.0", "1.1", "2", "3", "other", "unknown");
    assertThat(Dimension.MODEL.closed()).isFalse();
    assertThat(Dimension.fromId("nope")).isNull();
    assertThat(Dimension.ids())
        .containsExactly(
            "clientPath",
            "connectionType",
            "protocolVersion",
            "region",
            "model",
            "service",
            "retrievalService");
  }
}
