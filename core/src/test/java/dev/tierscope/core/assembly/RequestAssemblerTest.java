package dev.tierscope.core.assembly;

import static dev.tierscope.core.assembly.Assemble.summaryOf;
import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static dev.tierscope.core.testing.SpanBuilder.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.testing.SpanBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one assembled request looks like: TTFT decomposition, roles, class, streams, mesh. */
class RequestAssemblerTest {

  // Client (root): start 0, first token 900 ms            -> client TTFT   900 000 us
  // Gateway (SERVER child of client): start 100 ms, 750 ms  -> gateway TTFT  650 000 us
  // Model (child of gateway): start 320 ms, first token 700 -> model         380 000 us
  // edge = 900 000 - 650 000 = 250 000; mesh = 650 000 - 380 000 = 270 000.
  private static final long CLIENT_TTFT = 900_000;
  private static final long EDGE = 250_000;
  private static final long MESH = 270_000;
  private static final long MODEL = 380_000;

  private static SpanBuilder clientSpan() {
    return client(1).at(0, 3_000_000).firstTokenAt(900_000);
  }

  private static SpanBuilder gatewaySpan() {
    return server(2, 1).at(100_000, 2_950_000).firstTokenAt(750_000);
  }

  private static SpanBuilder modelSpan() {
    return span(3)
        .parent(2)
        .role(SpanRole.MODEL)
        .kind(SpanKind.CLIENT)
        .operation("chat")
        .at(320_000, 2_900_000)
        .firstTokenAt(700_000)
        .queueMicros(120_000);
  }

  private static List<Span> clientGatewayModel() {
    return List.of(clientSpan().build(), gatewaySpan().build(), modelSpan().build());
  }

  @Test
  void decomposesClientTtftIntoEdgeMeshAndModel() {
    RequestSummary r = summaryOf(clientGatewayModel());

    assertThat(r.ttftVantage()).isEqualTo(Vantage.CLIENT);
    assertThat(r.ttftMicros()).isEqualTo(CLIENT_TTFT);
    assertThat(r.edgeMicros()).isEqualTo(EDGE);
    assertThat(r.meshMicros()).isEqualTo(MESH);
    assertThat(r.modelMicros()).isEqualTo(MODEL);
    assertThat(r.modelQueueMicros()).isEqualTo(120_000);
    assertThat(r.edgeMicros() + r.meshMicros() + r.modelMicros()).isEqualTo(r.ttftMicros());
    assertThat(r.eventTimeEpochMicros()).isEqualTo(T0);
    assertThat(r.e2eMicros()).isEqualTo(3_000_000);
    assertThat(r.partial()).isFalse();
  }

  @Test
  void explicitGatewayRoleGivesTheSameDecomposition() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            gatewaySpan().role(SpanRole.GATEWAY).build(),
            modelSpan().build());

    assertThat(r.ttftMicros()).isEqualTo(CLIENT_TTFT);
    assertThat(r.edgeMicros()).isEqualTo(EDGE);
    assertThat(r.meshMicros()).isEqualTo(MESH);
    assertThat(r.modelMicros()).isEqualTo(MODEL);
  }

  @Test
  void withoutClientSpanTtftIsGatewayObservedAndEdgeUnknown() {
    Span gateway =
        span(2)
            .role(SpanRole.GATEWAY)
            .kind(SpanKind.SERVER)
            .at(0, 2_800_000)
            .firstTokenAt(650_000)
            .build();
    Span model = modelSpan().at(220_000, 2_700_000).firstTokenAt(600_000).build();

    RequestSummary r = summaryOf(gateway, model);

    assertThat(r.ttftVantage()).isEqualTo(Vantage.GATEWAY);
    assertThat(r.ttftMicros()).isEqualTo(650_000);
    assertThat(r.edgeMicros()).isEqualTo(-1);
    assertThat(r.meshMicros()).isEqualTo(270_000);
    assertThat(r.modelMicros()).isEqualTo(380_000);
    assertThat(r.clientPath()).isEmpty();
  }

  @Test
  void rootServerSpanWithoutStatedRoleIsTheGateway() {
    Span gateway = server(2, 0).at(0, 2_800_000).firstTokenAt(650_000).build();
    Span model = modelSpan().at(220_000, 2_700_000).firstTokenAt(600_000).build();

    RequestSummary r = summaryOf(gateway, model);

    assertThat(r.ttftVantage()).isEqualTo(Vantage.GATEWAY);
    assertThat(r.ttftMicros()).isEqualTo(650_000);
    assertThat(r.meshMicros()).isEqualTo(270_000);
  }

  @Test
  void onlyModelSpanGivesModelVantageAndUnknownEdgeAndMesh() {
    RequestSummary r = summaryOf(modelSpan().parent(0).build());

    assertThat(r.ttftVantage()).isEqualTo(Vantage.MODEL);
    assertThat(r.ttftMicros()).isEqualTo(MODEL);
    assertThat(r.edgeMicros()).isEqualTo(-1);
    assertThat(r.meshMicros()).isEqualTo(-1);
    assertThat(r.modelMicros()).isEqualTo(MODEL);
  }

  @Test
  void requestWithoutAnyFirstTokenHasNoTtft() {
    RequestSummary r = summaryOf(client(1).at(0, 1_000).build(), server(2, 1).at(10, 900).build());

    assertThat(r.ttftVantage()).isEqualTo(Vantage.NONE);
    assertThat(r.ttftMicros()).isEqualTo(-1);
    assertThat(r.edgeMicros()).isEqualTo(-1);
    assertThat(r.meshMicros()).isEqualTo(-1);
    assertThat(r.modelMicros()).isEqualTo(-1);
    assertThat(r.modelQueueMicros()).isEqualTo(-1);
  }

  @Test
  void infersGatewayAndModelFromServerSpansWithoutStatedRole() {
    Span model =
        server(3, 2).operation("chat").at(320_000, 2_900_000).firstTokenAt(700_000).build();
    // A SERVER span below the gateway with no model operation is internal, not the gateway.
    Span internal = server(4, 2).at(150_000, 250_000).build();

    RequestSummary r = summaryOf(clientSpan().build(), gatewaySpan().build(), model, internal);

    assertThat(r.ttftMicros()).isEqualTo(CLIENT_TTFT);
    assertThat(r.edgeMicros()).isEqualTo(EDGE);
    assertThat(r.meshMicros()).isEqualTo(MESH);
    assertThat(r.modelMicros()).isEqualTo(MODEL);
    assertThat(r.dominantMeshRole()).isEqualTo(MeshRole.INTERNAL);
  }

  @Test
  void earliestServerChildOfTheClientIsTheGateway() {
    // A second SERVER child of the client that starts later; as the gateway it would give
    // gateway TTFT 800 000 and edge 100 000.
    Span later = server(5, 1).at(200_000, 2_000_000).firstTokenAt(1_000_000).build();

    Span gateway = gatewaySpan().build();

    RequestSummary laterArrivesFirst =
        summaryOf(later, clientSpan().build(), gateway, modelSpan().build());
    RequestSummary laterArrivesLast =
        summaryOf(clientSpan().build(), gateway, modelSpan().build(), later);

    assertThat(laterArrivesFirst.edgeMicros()).isEqualTo(EDGE);
    assertThat(laterArrivesFirst.meshMicros()).isEqualTo(MESH);
    assertThat(laterArrivesLast.edgeMicros()).isEqualTo(EDGE);
    assertThat(laterArrivesLast.meshMicros()).isEqualTo(MESH);
  }

  @Test
  void deepestOfTwoModelSpansIsTheModelComponent() {
    // The outer model span (a router in front of the runtime) has TTFT 500 000 us.
    Span outer = modelSpan().id(3).parent(2).at(200_000, 2_950_000).firstTokenAt(700_000).build();
    Span inner = modelSpan().id(4).parent(3).at(320_000, 2_900_000).firstTokenAt(700_000).build();

    RequestSummary r = summaryOf(clientSpan().build(), gatewaySpan().build(), inner, outer);

    assertThat(r.modelMicros()).isEqualTo(MODEL);
    assertThat(r.meshMicros()).isEqualTo(MESH);
    assertThat(r.edgeMicros()).isEqualTo(EDGE);
  }

  @Test
  void deepestModelSpanWinsEvenWhenASkewedClockMakesItStartFirst() {
    // The runtime's host clock runs behind: its span appears to start before its parent's.
    Span outer = modelSpan().id(3).parent(2).at(330_000, 2_950_000).firstTokenAt(830_000).build();
    Span inner = modelSpan().id(4).parent(3).at(320_000, 2_900_000).firstTokenAt(700_000).build();

    RequestSummary r = summaryOf(clientSpan().build(), gatewaySpan().build(), outer, inner);

    assertThat(r.modelMicros()).isEqualTo(MODEL);
    assertThat(r.meshMicros()).isEqualTo(MESH);
  }

  @Test
  void deepestOfTwoInferredModelSpansIsTheModelComponent() {
    Span outer =
        server(3, 2).operation("chat").at(200_000, 2_950_000).firstTokenAt(700_000).build();
    Span inner =
        server(4, 3)
            .operation("text_completion")
            .at(320_000, 2_900_000)
            .firstTokenAt(700_000)
            .build();

    RequestSummary r = summaryOf(clientSpan().build(), gatewaySpan().build(), outer, inner);

    assertThat(r.modelMicros()).isEqualTo(MODEL);
    assertThat(r.meshMicros()).isEqualTo(MESH);
  }

  @Test
  void reverseArrivalOrderGivesTheSameSummary() {
    List<Span> spans = new ArrayList<>(clientGatewayModel());
    spans.add(
        span(10)
            .parent(2)
            .role(SpanRole.RETRIEVAL)
            .at(120_000, 200_000)
            .retrieval(false, true)
            .build());
    spans.add(span(11).parent(2).role(SpanRole.TOOL).at(210_000, 300_000).build());
    spans.add(server(12, 2).operation("execute_tool").at(305_000, 315_000).error().build());
    List<Span> reversed = new ArrayList<>(spans);
    Collections.reverse(reversed);

    RequestSummary inOrder = summaryOf(spans);
    RequestSummary childrenFirst = summaryOf(reversed);

    assertThat(childrenFirst).isEqualTo(inOrder);
    assertThat(childrenFirst.edgeMicros()).isEqualTo(EDGE);
    assertThat(childrenFirst.toolCalls()).isEqualTo(2);
  }

  @Test
  void clientTransportDetailsAreCarriedOver() {
    RequestSummary r =
        summaryOf(
            clientSpan().transport("vpn", "2", true, 7).build(),
            gatewaySpan().build(),
            modelSpan().build());

    assertThat(r.clientPath()).isEqualTo("vpn");
    assertThat(r.protocolVersion()).isEqualTo("2");
    assertThat(r.protocolFallback()).isTrue();
    assertThat(r.retransmits()).isEqualTo(7);
  }

  @Test
  void tenantAndWorkflowComeFromTheSpans() {
    RequestSummary r =
        summaryOf(
            server(2, 1).tenant("globex").workflow("child_flow").build(),
            clientSpan().tenant("globex").workflow("support_chat").build());

    assertThat(r.tenant()).isEqualTo("globex");
    assertThat(r.workflow()).isEqualTo("support_chat");
  }

  @Test
  void aNamedTenantWinsOverDefaultWhicheverSpanArrivesFirst() {
    // The Java agent's server span has no tenant; the spans below the tagged request have one.
    RequestSummary untaggedFirst =
        summaryOf(clientSpan().tenant("default").build(), server(2, 1).tenant("globex").build());
    RequestSummary taggedFirst =
        summaryOf(server(2, 1).tenant("globex").build(), clientSpan().tenant("default").build());

    assertThat(untaggedFirst.tenant()).isEqualTo("globex");
    assertThat(taggedFirst.tenant()).isEqualTo("globex");
  }

  @Test
  void emptyTenantBecomesDefault() {
    RequestSummary r = summaryOf(clientSpan().tenant("").build());

    assertThat(r.tenant()).isEqualTo("default");
  }

  // --- class -----------------------------------------------------------------------------------

  @Test
  void rootClassWinsOverChildClassWhateverTheOrder() {
    Span child = gatewaySpan().trafficClass("deferred_batch").build();
    Span root = clientSpan().trafficClass("interactive_premium").build();

    assertThat(summaryOf(child, root).trafficClass()).isEqualTo("interactive_premium");
    assertThat(summaryOf(root, child).trafficClass()).isEqualTo("interactive_premium");
  }

  @Test
  void childClassIsUsedWhenTheRootHasNone() {
    RequestSummary r =
        summaryOf(clientSpan().build(), gatewaySpan().trafficClass("deferred_batch").build());

    assertThat(r.trafficClass()).isEqualTo("deferred_batch");
    assertThat(r.classUnknown()).isFalse();
  }

  @Test
  void requestWithoutClassGetsTheConfiguredFallback() {
    RequestSummary r =
        summaryOf(
            Assemble.config("deferred_batch"),
            List.of(clientSpan().build(), gatewaySpan().build()));

    assertThat(r.trafficClass()).isEqualTo("deferred_batch");
    assertThat(r.classUnknown()).isFalse();
  }

  @Test
  void unknownClassOnAnySpanIsReportedAndCountsInTheFallback() {
    RequestSummary r =
        summaryOf(
            Assemble.config("deferred_batch"),
            List.of(clientSpan().build(), gatewaySpan().classUnknown().build()));

    assertThat(r.classUnknown()).isTrue();
    assertThat(r.trafficClass()).isEqualTo("deferred_batch");
  }

  @Test
  void unknownClassOnChildPropagatesEvenWhenRootHasAKnownClass() {
    RequestSummary r =
        summaryOf(
            clientSpan().trafficClass("interactive_premium").build(),
            gatewaySpan().classUnknown().build());

    assertThat(r.trafficClass()).isEqualTo("interactive_premium");
    assertThat(r.classUnknown()).isTrue();
  }

  // --- streams ---------------------------------------------------------------------------------

  @Test
  void interruptedOutcomeOnClientMakesTheStreamInterrupted() {
    RequestSummary r =
        summaryOf(
            clientSpan().streamed().outcome(StreamOutcome.INTERRUPTED).build(),
            gatewaySpan().streamed().outcome(StreamOutcome.COMPLETED).build());

    assertThat(r.streamed()).isTrue();
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.INTERRUPTED);
  }

  @Test
  void cancelledOutcomeOnClientMakesTheStreamCancelled() {
    RequestSummary r =
        summaryOf(
            clientSpan().streamed().outcome(StreamOutcome.CANCELLED).build(),
            gatewaySpan().streamed().build());

    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.CANCELLED);
  }

  @Test
  void interruptionSeenOnlyByTheGatewayMakesTheStreamInterrupted() {
    RequestSummary r =
        summaryOf(
            clientSpan().streamed().build(),
            gatewaySpan().streamed().outcome(StreamOutcome.INTERRUPTED).build());

    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.INTERRUPTED);
  }

  @Test
  void clientOutcomeWinsOverGatewayOutcome() {
    RequestSummary r =
        summaryOf(
            clientSpan().streamed().outcome(StreamOutcome.CANCELLED).build(),
            gatewaySpan().streamed().outcome(StreamOutcome.INTERRUPTED).build());

    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.CANCELLED);
  }

  @Test
  void streamWithoutReportedOutcomeIsCompleted() {
    RequestSummary r = summaryOf(clientSpan().streamed().build(), gatewaySpan().build());

    assertThat(r.streamed()).isTrue();
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.COMPLETED);
  }

  @Test
  void requestThatWasNotStreamedHasNoStreamOutcome() {
    RequestSummary r =
        summaryOf(
            clientSpan().outcome(StreamOutcome.INTERRUPTED).build(),
            gatewaySpan().outcome(StreamOutcome.INTERRUPTED).build());

    assertThat(r.streamed()).isFalse();
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.NONE);
  }

  // --- mesh: retrieval, tools, tokens ----------------------------------------------------------

  @Test
  void countsRetrievalsMissesAndFallbacks() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            gatewaySpan().build(),
            retrieval(10, true, false),
            retrieval(11, false, true),
            retrieval(12, false, false),
            // decided at assembly from its operation name
            server(13, 2)
                .operation("retrieval")
                .at(100_000, 150_000)
                .retrieval(false, true)
                .build());

    assertThat(r.retrievals()).isEqualTo(4);
    assertThat(r.retrievalMisses()).isEqualTo(3);
    assertThat(r.retrievalFallbacks()).isEqualTo(2);
  }

  private static Span retrieval(long id, boolean hit, boolean fallback) {
    return span(id)
        .parent(2)
        .role(SpanRole.RETRIEVAL)
        .operation("retrieval")
        .at(110_000, 160_000)
        .retrieval(hit, fallback)
        .build();
  }

  @Test
  void toolChainLatencyRunsFromFirstToolStartToLastToolEnd() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            tool(20, 1_500_000, 2_100_000).build(),
            tool(21, 1_000_000, 1_300_000).build(),
            server(22, 2).operation("execute_tool").at(1_200_000, 1_400_000).build());

    assertThat(r.toolCalls()).isEqualTo(3);
    assertThat(r.toolchainMicros()).isEqualTo(1_100_000);
    assertThat(r.toolchainFailed()).isFalse();
  }

  @Test
  void toolSpanWithErrorFailsTheChain() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            tool(20, 1_000_000, 1_300_000).build(),
            tool(21, 1_400_000, 1_500_000).error().build());

    assertThat(r.toolchainFailed()).isTrue();
    assertThat(r.toolchainMicros()).isEqualTo(500_000);
  }

  @Test
  void inferredToolSpanWithErrorFailsTheChain() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            server(22, 2).operation("execute_tool").at(1_200_000, 1_400_000).error().build());

    assertThat(r.toolCalls()).isEqualTo(1);
    assertThat(r.toolchainFailed()).isTrue();
  }

  @Test
  void requestWithoutToolsHasNoToolChain() {
    RequestSummary r = summaryOf(clientGatewayModel());

    assertThat(r.toolCalls()).isZero();
    assertThat(r.toolchainMicros()).isEqualTo(-1);
    assertThat(r.toolchainFailed()).isFalse();
    assertThat(r.retrievals()).isZero();
    assertThat(r.dominantMeshRole()).isEqualTo(MeshRole.NONE);
  }

  private static SpanBuilder tool(long id, long start, long end) {
    return span(id).parent(2).role(SpanRole.TOOL).operation("execute_tool").at(start, end);
  }

  @Test
  void sumsTokensOverAllSpans() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            gatewaySpan().build(),
            modelSpan().id(3).tokens(1_200, 350).build(),
            modelSpan().id(4).parent(2).at(10, 20).tokens(300, 50).build());

    assertThat(r.inputTokens()).isEqualTo(1_500);
    assertThat(r.outputTokens()).isEqualTo(400);
  }

  @Test
  void dominantMeshRoleIsTheOneWithTheMostSpanTime() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            span(10).parent(2).role(SpanRole.RETRIEVAL).at(0, 300_000).build(),
            tool(11, 300_000, 700_000).build(),
            tool(12, 700_000, 1_200_000).build(),
            span(13).parent(2).role(SpanRole.POLICY).at(0, 800_000).build(),
            span(14).parent(2).role(SpanRole.INTERNAL).at(0, 100_000).build());

    // tools 900 000 > policy 800 000 > retrieval 300 000 > internal 100 000
    assertThat(r.dominantMeshRole()).isEqualTo(MeshRole.TOOL);
  }

  @Test
  void policyCanBeTheDominantMeshRole() {
    RequestSummary r =
        summaryOf(
            clientSpan().build(),
            span(10).parent(2).role(SpanRole.RETRIEVAL).at(0, 300_000).build(),
            span(13).parent(2).role(SpanRole.POLICY).at(0, 800_000).build());

    assertThat(r.dominantMeshRole()).isEqualTo(MeshRole.POLICY);
  }
}
