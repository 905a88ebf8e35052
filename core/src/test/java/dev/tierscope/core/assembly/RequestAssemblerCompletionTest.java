package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static dev.tierscope.core.testing.SpanBuilder.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.assembly.RequestAssembler.AddResult;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When requests leave the assembler: stream time, grace, maximum age, the cap, late spans. */
class RequestAssemblerCompletionTest {

  private static final long GRACE = 5_000_000;
  private static final long MAX_AGE = 600_000_000;
  private static final long LATENESS = 120_000_000;

  private static AssemblyConfig config(int maxInFlight) {
    return new AssemblyConfig(
        Duration.ofMillis(GRACE / 1_000),
        Duration.ofMillis(MAX_AGE / 1_000),
        Duration.ofMillis(LATENESS / 1_000),
        maxInFlight,
        "standard_interactive");
  }

  private final RequestAssembler assembler = new RequestAssembler(config(100));
  private final List<RequestSummary> emitted = new ArrayList<>();

  /** Root ends at T0 + 3 s; the child ended before it. */
  private void addRequest(long traceLow) {
    assembler.add(client(1).trace(traceLow).at(0, 3_000_000).firstTokenAt(900_000).build());
    assembler.add(server(2, 1).trace(traceLow).at(100_000, 2_950_000).build());
  }

  private int drain() {
    return assembler.drainCompleted(emitted::add);
  }

  @Test
  void streamTimeIsTheLatestSpanEnd() {
    assertThat(assembler.streamTimeMicros()).isEqualTo(Long.MIN_VALUE);

    addRequest(1);

    assertThat(assembler.streamTimeMicros()).isEqualTo(T0 + 3_000_000);
    assembler.advanceStreamTime(T0);
    assertThat(assembler.streamTimeMicros()).isEqualTo(T0 + 3_000_000);
  }

  @Test
  void emitsNothingBeforeRootEndPlusGrace() {
    addRequest(1);
    assembler.advanceStreamTime(T0 + 3_000_000 + GRACE - 1);

    assertThat(drain()).isZero();

    assertThat(emitted).isEmpty();
    assertThat(assembler.inFlight()).isEqualTo(1);
  }

  @Test
  void emitsRequestOnceStreamTimeReachesRootEndPlusGrace() {
    addRequest(1);
    // stream time moves by a span of another request, not by the clock
    assembler.add(
        span(7).trace(2).startEpochMicros(T0 + 7_000_000).endEpochMicros(T0 + 8_000_000).build());

    assertThat(drain()).isEqualTo(1);

    assertThat(emitted).hasSize(1);
    RequestSummary r = emitted.get(0);
    assertThat(r.traceId()).isEqualTo(client(1).trace(1).build().traceId());
    assertThat(r.partial()).isFalse();
    assertThat(r.ttftMicros()).isEqualTo(900_000);
    assertThat(assembler.inFlight()).isEqualTo(1);
    assertThat(drain()).as("emitted once only").isZero();
  }

  @Test
  void advancingStreamTimeCompletesQuietRequests() {
    addRequest(1);
    assertThat(drain()).isZero();

    assembler.advanceStreamTime(T0 + 3_000_000 + GRACE);

    assertThat(drain()).isEqualTo(1);
    assertThat(emitted).singleElement().extracting(RequestSummary::partial).isEqualTo(false);
    assertThat(assembler.inFlight()).isZero();
  }

  @Test
  void requestWithoutRootIsEmittedAsPartialAfterMaxAge() {
    // only a child: the root never arrives
    assembler.add(server(2, 1).at(0, 1_000_000).build());

    assembler.advanceStreamTime(T0 + MAX_AGE - 1_000_000);
    assertThat(drain()).isZero();
    assembler.advanceStreamTime(T0 + MAX_AGE);
    assertThat(drain()).isEqualTo(1);

    assertThat(emitted).singleElement().extracting(RequestSummary::partial).isEqualTo(true);
    assertThat(assembler.inFlight()).isZero();
    assertThat(assembler.overflowed()).isZero();
  }

  @Test
  void aRequestCompletedByMaxAgeIsNotStartedAgainByItsLaterSpans() {
    // A long child of trace 1, started near the maximum age behind the stream time to come.
    assertThat(assembler.add(server(2, 1).trace(1).at(0, MAX_AGE - LATENESS).build()))
        .isEqualTo(AddResult.ASSEMBLED);
    // Other traffic moves stream time close to the maximum age past trace 1's start; the child
    // still ended within the allowed lateness.
    assembler.add(client(1).trace(9).at(MAX_AGE - 3_000_000, MAX_AGE - 2_000_000).build());
    drain();
    assertThat(emitted).isEmpty();
    // The next poll moves stream time a few seconds: trace 1 is now past the maximum age and
    // completes as partial, its latest end already behind the allowed lateness.
    assembler.add(client(1).trace(8).at(MAX_AGE, MAX_AGE + 5_000_000).build());
    drain();
    assertThat(emitted)
        .filteredOn(r -> r.traceId().equals(client(1).trace(1).build().traceId()))
        .singleElement()
        .extracting(RequestSummary::partial)
        .isEqualTo(true);

    // Trace 1's root arrives in that poll too, ending within the allowed lateness: the request
    // was already counted, so the span is late, not the start of a second request.
    AddResult root = assembler.add(client(1).trace(1).at(0, MAX_AGE + 1_000_000).build());
    assembler.advanceStreamTime(T0 + MAX_AGE + 60_000_000);
    drain();

    assertThat(root).isEqualTo(AddResult.LATE);
    assertThat(assembler.lateSpans()).isEqualTo(1);
    assertThat(emitted)
        .as("trace 1 counted once")
        .filteredOn(r -> r.traceId().equals(client(1).trace(1).build().traceId()))
        .hasSize(1);
    assertThat(assembler.inFlight()).isZero();
  }

  @Test
  void inFlightCapEvictsTheOldestRequestAsPartial() {
    RequestAssembler capped = new RequestAssembler(config(2));
    capped.add(client(1).trace(1).at(0, 1_000).build());
    capped.add(client(1).trace(2).at(0, 1_000).build());
    capped.add(client(1).trace(1).at(2_000, 3_000).id(5).parent(1).build());

    assertThat(capped.overflowed()).as("same trace again is no new request").isZero();

    capped.add(client(1).trace(3).at(0, 1_000).build());

    assertThat(capped.overflowed()).isEqualTo(1);
    assertThat(capped.inFlight()).isEqualTo(2);
    List<RequestSummary> out = new ArrayList<>();
    assertThat(capped.drainCompleted(out::add)).isEqualTo(1);
    assertThat(out)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.traceId()).isEqualTo(client(1).trace(1).build().traceId());
              assertThat(r.partial()).isTrue();
              assertThat(r.e2eMicros()).isEqualTo(3_000);
            });
    assertThat(capped.drainCompleted(out::add))
        .as("evicted requests are handed over once")
        .isZero();
  }

  @Test
  void spanOfUnknownTraceOlderThanAllowedLatenessIsLateAndCounted() {
    addRequest(1); // stream time T0 + 3 s
    long streamTime = assembler.streamTimeMicros();
    Span late =
        span(3).trace(2).endEpochMicros(streamTime - LATENESS - 1).startEpochMicros(1).build();

    assertThat(assembler.add(late)).isEqualTo(AddResult.LATE);

    assertThat(assembler.lateSpans()).isEqualTo(1);
    assertThat(assembler.inFlight()).isEqualTo(1);
    assertThat(assembler.streamTimeMicros()).isEqualTo(streamTime);
  }

  @Test
  void spanEndingExactlyAtTheAllowedLatenessIsAssembled() {
    addRequest(1);
    long streamTime = assembler.streamTimeMicros();
    Span onTheEdge =
        span(3).trace(2).endEpochMicros(streamTime - LATENESS).startEpochMicros(1).build();

    assertThat(assembler.add(onTheEdge)).isEqualTo(AddResult.ASSEMBLED);

    assertThat(assembler.lateSpans()).isZero();
    assertThat(assembler.inFlight()).isEqualTo(2);
  }

  @Test
  void oldSpanOfAnInFlightRequestIsAssembled() {
    // a long request: its root ends at T0 + 300 s, far beyond the allowed lateness of its child
    assembler.add(client(1).trace(1).at(0, 300_000_000).build());
    Span oldChild =
        span(4)
            .trace(1)
            .parent(1)
            .role(SpanRole.RETRIEVAL)
            .at(100_000, 200_000)
            .retrieval(false, true)
            .build();

    assertThat(assembler.add(oldChild)).isEqualTo(AddResult.ASSEMBLED);

    assertThat(assembler.lateSpans()).isZero();
    RequestSummary r = Assemble.complete(assembler, config(100));
    assertThat(r.retrievals()).isEqualTo(1);
    assertThat(r.retrievalFallbacks()).isEqualTo(1);
  }

  @Test
  void nothingIsLateBeforeTheFirstSpan() {
    Span ancient = span(3).trace(2).startEpochMicros(1).endEpochMicros(2).build();

    assertThat(assembler.add(ancient)).isEqualTo(AddResult.ASSEMBLED);
    assertThat(assembler.lateSpans()).isZero();
  }

  @Test
  void drainOnEmptyAssemblerEmitsNothing() {
    assertThat(drain()).isZero();
    assertThat(emitted).isEmpty();
  }
}
