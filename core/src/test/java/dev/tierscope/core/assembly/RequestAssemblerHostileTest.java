package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static dev.tierscope.core.testing.SpanBuilder.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one client's bad data must not do to a partition: move its stream time ahead of the clock,
 * poison it for good through a snapshot, take its memory with one trace, or count a retried batch
 * twice after a restart.
 */
class RequestAssemblerHostileTest {

  static final AssemblyConfig CONFIG = Assemble.config("standard_interactive");
  static final long SECOND = 1_000_000;
  static final long TWO_DAYS = 172_800 * SECOND;

  /** A request of trace {@code t}: root client span and a retrieval, starting at {@code at}. */
  private static List<Span> request(long t, long at) {
    return List.of(
        client(1).trace(t).at(at, at + 2 * SECOND).firstTokenAt(at + 500_000).build(),
        span(2)
            .trace(t)
            .parent(1)
            .role(SpanRole.RETRIEVAL)
            .retrieval(true, false)
            .at(at + 100_000, at + 200_000)
            .build());
  }

  @Test
  void aSpanFromTheFutureDoesNotMoveStreamTimePastTheCeiling() {
    RequestAssembler a = new RequestAssembler(CONFIG);
    long wall = T0 + 60 * SECOND;
    a.limitStreamTime(wall);
    request(1, 0).forEach(a::add);

    // Two days ahead: assembled (it is a valid span), but stream time stays at the wall clock.
    assertThat(a.add(client(1).trace(666).at(TWO_DAYS, TWO_DAYS + SECOND).build()))
        .isEqualTo(RequestAssembler.AddResult.ASSEMBLED);
    assertThat(a.streamTimeMicros()).isEqualTo(wall);

    // So a span of a new request a minute old is still on time, not late.
    assertThat(a.add(client(1).trace(2).at(5 * SECOND, 6 * SECOND).build()))
        .isEqualTo(RequestAssembler.AddResult.ASSEMBLED);
    a.advanceStreamTime(Long.MAX_VALUE);
    assertThat(a.streamTimeMicros()).isEqualTo(wall);
  }

  @Test
  void aFastClockInTheFleetDoesNotCompleteOtherRequestsEarly() {
    assertThat(retrievalsCounted(true)).isEqualTo(1);
    // Without the ceiling (as before), the fast clock completes the request 3 s early and the
    // retrieval span that arrives in time by the wall clock is dropped as late.
    assertThat(retrievalsCounted(false)).isZero();
  }

  /**
   * Service A's clock runs 3 s ahead; service B exports the retrieval span of request 1 four
   * seconds after its root ended (its batch processor's delay). Returns request 1's retrievals.
   */
  private static int retrievalsCounted(boolean ceiling) {
    RequestAssembler a = new RequestAssembler(CONFIG);
    long wall = T0 + 10 * SECOND;
    if (ceiling) {
      a.limitStreamTime(wall);
    }
    a.add(client(1).trace(1).at(8 * SECOND, 10 * SECOND).build());
    List<RequestSummary> done = new ArrayList<>();
    a.drainCompleted(done::add);

    wall += 4 * SECOND; // A's next request, stamped 3 s ahead of the wall
    if (ceiling) {
      a.limitStreamTime(wall);
    }
    a.add(client(1).trace(2).at(15 * SECOND, 17 * SECOND).build());
    a.drainCompleted(done::add);
    a.add(
        span(2)
            .trace(1)
            .parent(1)
            .role(SpanRole.RETRIEVAL)
            .at(8 * SECOND + 100_000, 8 * SECOND + 200_000)
            .build());

    a.limitStreamTime(Long.MAX_VALUE);
    a.advanceStreamTime(T0 + 60 * SECOND);
    a.drainCompleted(done::add);
    return done.stream().filter(r -> r.traceId().low() == 1).findFirst().orElseThrow().retrievals();
  }

  @Test
  void restoringAPoisonedSnapshotBringsStreamTimeBackAndDropsImpossibleRequests() {
    // An assembler without a ceiling (an older version) let a span two days ahead poison it.
    RequestAssembler old = new RequestAssembler(CONFIG);
    request(1, 0).forEach(old::add);
    old.add(client(1).trace(666).at(TWO_DAYS, TWO_DAYS + SECOND).build());
    assertThat(old.streamTimeMicros()).isEqualTo(T0 + TWO_DAYS + SECOND);
    byte[] poisoned = old.snapshot();

    RequestAssembler healed = new RequestAssembler(CONFIG);
    long wall = T0 + 3 * SECOND;
    healed.limitStreamTime(wall);
    RequestAssembler.Restored restored = healed.restore(poisoned, wall + 300 * SECOND);

    assertThat(restored.streamTimeClamped()).isTrue();
    assertThat(restored.streamTimeMicros()).isEqualTo(T0 + TWO_DAYS + SECOND);
    assertThat(restored.requestsDropped()).isEqualTo(1);
    // restarted from the latest span of the request it keeps, not from the wall clock
    assertThat(healed.streamTimeMicros()).isEqualTo(T0 + 2 * SECOND);
    assertThat(healed.inFlight()).isEqualTo(1);
    // Spans of now are on time again, and the open request completes with both of its spans.
    assertThat(healed.add(client(1).trace(3).at(SECOND, 2 * SECOND).build()))
        .isEqualTo(RequestAssembler.AddResult.ASSEMBLED);
    List<RequestSummary> done = new ArrayList<>();
    healed.limitStreamTime(Long.MAX_VALUE);
    healed.advanceStreamTime(wall + 10 * SECOND);
    healed.drainCompleted(done::add);
    assertThat(done).extracting(r -> r.traceId().low()).containsExactlyInAnyOrder(1L, 3L);
    assertThat(done.get(0).retrievals() + done.get(1).retrievals()).isEqualTo(1);
  }

  @Test
  void aHealedStreamTimeDoesNotRunAheadOfDataThatLagsTheWallClock() {
    RequestAssembler old = new RequestAssembler(CONFIG);
    old.add(client(1).trace(666).at(TWO_DAYS, TWO_DAYS + SECOND).build());
    byte[] poisoned = old.snapshot();

    // A consumer catching up: the wall clock is a minute past the spans it reads.
    RequestAssembler healed = new RequestAssembler(CONFIG);
    long wall = T0 + 60 * SECOND;
    healed.limitStreamTime(wall);
    assertThat(healed.restore(poisoned, wall + 300 * SECOND).requestsDropped()).isEqualTo(1);
    List<RequestSummary> done = new ArrayList<>();
    List<Span> spans = request(7, 0);
    healed.add(spans.get(0));
    healed.drainCompleted(done::add);
    assertThat(done).as("completed between two spans of one request").isEmpty();
    spans.subList(1, spans.size()).forEach(healed::add);
    healed.advanceStreamTime(T0 + 30 * SECOND);
    healed.drainCompleted(done::add);
    assertThat(done).hasSize(1);
    assertThat(done.get(0).traceId().low()).isEqualTo(7L);
  }

  @Test
  void recentlyCompletedTracesSurviveASnapshotSoARetriedBatchIsNotCountedTwice() {
    RequestAssembler before = new RequestAssembler(CONFIG);
    request(1, 0).forEach(before::add);
    before.advanceStreamTime(T0 + 10 * SECOND);
    List<RequestSummary> done = new ArrayList<>();
    before.drainCompleted(done::add);
    assertThat(done).hasSize(1);
    assertThat(before.recentlyCompleted()).isEqualTo(1);

    RequestAssembler after = new RequestAssembler(CONFIG);
    after.restore(before.snapshot());

    // The client re-sends the batch it got no answer for: every span is late, nothing new starts.
    for (Span s : request(1, 0)) {
      assertThat(after.add(s)).isEqualTo(RequestAssembler.AddResult.LATE);
    }
    assertThat(after.inFlight()).isZero();
  }

  @Test
  void recentlyCompletedTracesAreForgottenOnceTheLatenessRuleCoversThem() {
    RequestAssembler a = new RequestAssembler(CONFIG);
    for (long t = 1; t <= 50; t++) {
      request(t, t * SECOND).forEach(a::add);
    }
    a.advanceStreamTime(T0 + 70 * SECOND);
    a.drainCompleted(r -> {});
    assertThat(a.recentlyCompleted()).isEqualTo(50);

    // Two minutes of lateness later, every span of them is late by the rule alone.
    a.advanceStreamTime(T0 + 52 * SECOND + 120 * SECOND + 1);
    a.drainCompleted(r -> {});
    assertThat(a.recentlyCompleted()).isZero();
    assertThat(a.add(request(7, 7 * SECOND).get(0))).isEqualTo(RequestAssembler.AddResult.LATE);
  }

  @Test
  void recentlyCompletedTracesAreBoundedByTheInFlightCap() {
    AssemblyConfig small = CONFIG.withClassRules(CONFIG.classRules());
    small =
        new AssemblyConfig(
            small.grace(), small.maxAge(), small.allowedLateness(), 10, small.fallbackClass());
    RequestAssembler a = new RequestAssembler(small);
    for (long t = 1; t <= 30; t++) {
      request(t, t * SECOND).forEach(a::add);
    }
    a.advanceStreamTime(T0 + 60 * SECOND);
    a.drainCompleted(r -> {});

    assertThat(a.recentlyCompleted()).isEqualTo(10);
  }

  @Test
  void aTraceAtItsCapRefusesFurtherSpansAndCountsThem() {
    RequestAssembler a = new RequestAssembler(CONFIG.withTraceCaps(100, 1_000_000));
    a.add(client(1).at(0, 10 * SECOND).build(), 200);
    int refused = 0;
    for (long id = 2; id <= 1_000; id++) {
      RequestAssembler.AddResult r = a.add(server(id, 1).at(SECOND, 2 * SECOND).build(), 200);
      if (r == RequestAssembler.AddResult.TRACE_TOO_LARGE) {
        refused++;
      }
    }
    assertThat(refused).isEqualTo(900);
    assertThat(a.spansOverTraceCap()).isEqualTo(900);
    // A retried span of the capped trace is still a duplicate, not over the cap.
    assertThat(a.add(client(1).at(0, 10 * SECOND).build(), 200))
        .isEqualTo(RequestAssembler.AddResult.DUPLICATE);
    // The bytes cap holds too, and other traces are untouched.
    RequestAssembler b = new RequestAssembler(CONFIG.withTraceCaps(1_000, 1_000));
    assertThat(b.add(client(1).trace(9).at(0, SECOND).build(), 600))
        .isEqualTo(RequestAssembler.AddResult.ASSEMBLED);
    assertThat(b.add(server(2, 1).trace(9).at(0, SECOND).build(), 600))
        .isEqualTo(RequestAssembler.AddResult.TRACE_TOO_LARGE);
    assertThat(b.add(client(1).trace(10).at(0, SECOND).build(), 600))
        .isEqualTo(RequestAssembler.AddResult.ASSEMBLED);
  }

  @Test
  void theCapStaysThroughASnapshot() {
    AssemblyConfig capped = CONFIG.withTraceCaps(1_000, 1_000);
    RequestAssembler before = new RequestAssembler(capped);
    before.add(client(1).at(0, SECOND).build(), 600);
    RequestAssembler after = new RequestAssembler(capped);
    after.restore(before.snapshot());

    assertThat(after.add(server(2, 1).at(0, SECOND).build(), 600))
        .isEqualTo(RequestAssembler.AddResult.TRACE_TOO_LARGE);
  }

  @Test
  void aHugeTraceOfModelSpansCompletesLikeASmallOne() {
    // 10 000 model spans, each the parent of the next: the deepest is the last. The search for it
    // is linear, not a scan of every pair.
    AssemblyConfig config = CONFIG.withTraceCaps(20_000, Long.MAX_VALUE);
    List<Span> spans = new ArrayList<>();
    spans.add(client(1).at(0, 10 * SECOND).firstTokenAt(900_000).build());
    for (long id = 2; id <= 10_001; id++) {
      spans.add(
          span(id)
              .parent(id - 1)
              .role(SpanRole.MODEL)
              .kind(SpanKind.CLIENT)
              .at(id, 9 * SECOND)
              .firstTokenAt(id + 500_000)
              .build());
    }
    RequestSummary r = Assemble.summaryOf(config, spans);

    assertThat(r.modelMicros()).isEqualTo(500_000);
    assertThat(r.streamOutcome()).isEqualTo(StreamOutcome.NONE);
  }

  @Test
  void aRequestThatCannotBeWrittenIsLeftOutOfTheSnapshotAndReported() {
    RequestAssembler a = new RequestAssembler(CONFIG);
    request(1, 0).forEach(a::add);
    // Only a span made without the builder can carry this: the constructor checks, it does not cut.
    Span ok = client(1).trace(2).at(0, SECOND).build();
    a.add(withWorkflow(ok, "w".repeat(70_000)));

    byte[] snapshot = a.snapshot();

    List<RequestAssembler.Unstorable> left = a.takeUnstorable();
    assertThat(left)
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.traceId()).isEqualTo(ok.traceId());
              assertThat(u.reason()).contains("UTFDataFormatException");
            });
    assertThat(a.takeUnstorable()).isEmpty();
    assertThat(a.inFlight()).isEqualTo(1);
    RequestAssembler restored = new RequestAssembler(CONFIG);
    restored.restore(snapshot);
    assertThat(Assemble.complete(restored, CONFIG).traceId()).isEqualTo(new TraceId(0x1111L, 1));
  }

  private static Span withWorkflow(Span s, String workflow) {
    return new Span(
        s.traceId(),
        s.spanId(),
        s.parentSpanId(),
        s.service(),
        s.tenant(),
        s.role(),
        s.kind(),
        s.operation(),
        s.trafficClass(),
        s.classUnknown(),
        workflow,
        s.startEpochNanos(),
        s.endEpochNanos(),
        s.firstTokenEpochNanos(),
        s.error(),
        s.streamed(),
        s.streamOutcome(),
        s.retrievalHit(),
        s.retrievalFallback(),
        s.toolName(),
        s.modelQueueMicros(),
        s.inputTokens(),
        s.outputTokens(),
        s.model(),
        s.clientPath(),
        s.protocolVersion(),
        s.protocolFallback(),
        s.retransmits(),
        s.connectionType(),
        s.admission(),
        s.degradationLevel(),
        s.region(),
        Map.of(),
        false,
        s.streamMaxGapMicros(),
        s.streamStalls(),
        s.interruptionCause());
  }
}
