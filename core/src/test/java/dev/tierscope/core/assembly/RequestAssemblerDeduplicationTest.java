package dev.tierscope.core.assembly;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.assembly.RequestAssembler.AddResult;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanRole;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A span sent twice (a client retry) or after its request completed never counts twice. */
class RequestAssemblerDeduplicationTest {

  private static final AssemblyConfig CONFIG = Assemble.config("standard_interactive");

  private final RequestAssembler assembler = new RequestAssembler(CONFIG);

  private static Span root() {
    return client(1).at(0, 3_000_000).firstTokenAt(900_000).build();
  }

  private static Span retrieval() {
    return span(10)
        .parent(1)
        .role(SpanRole.RETRIEVAL)
        .at(100_000, 200_000)
        .retrieval(false, true)
        .tokens(40, 0)
        .build();
  }

  @Test
  void secondCopyOfASpanIsADuplicateAndCountsOnce() {
    assembler.add(root());
    assertThat(assembler.add(retrieval())).isEqualTo(AddResult.ASSEMBLED);

    assertThat(assembler.add(retrieval())).isEqualTo(AddResult.DUPLICATE);

    assertThat(assembler.duplicateSpans()).isEqualTo(1);
    assertThat(assembler.lateSpans()).isZero();
    RequestSummary r = Assemble.complete(assembler, CONFIG);
    assertThat(r.retrievals()).isEqualTo(1);
    assertThat(r.retrievalFallbacks()).isEqualTo(1);
    assertThat(r.inputTokens()).isEqualTo(40);
  }

  @Test
  void sameSpanIdInAnotherTraceIsNoDuplicate() {
    assembler.add(root());

    assertThat(assembler.add(client(1).trace(7).at(0, 1_000).build()))
        .isEqualTo(AddResult.ASSEMBLED);

    assertThat(assembler.duplicateSpans()).isZero();
    assertThat(assembler.inFlight()).isEqualTo(2);
  }

  @Test
  void duplicateDetectionSurvivesASnapshot() {
    assembler.add(root());
    assembler.add(retrieval());
    RequestAssembler restored = new RequestAssembler(CONFIG);
    restored.restore(assembler.snapshot());

    assertThat(restored.add(retrieval())).isEqualTo(AddResult.DUPLICATE);

    assertThat(restored.duplicateSpans()).isEqualTo(1);
    assertThat(Assemble.complete(restored, CONFIG).retrievals()).isEqualTo(1);
  }

  @Test
  void spanOfARecentlyCompletedRequestIsLateNotANewRequest() {
    assembler.add(root());
    Assemble.complete(assembler, CONFIG);

    // ends within the allowed lateness, but its request was already handed over
    assertThat(assembler.add(retrieval())).isEqualTo(AddResult.LATE);

    assertThat(assembler.lateSpans()).isEqualTo(1);
    assertThat(assembler.inFlight()).isZero();
    assembler.advanceStreamTime(T0 + Duration.ofMinutes(20).toNanos() / 1_000);
    List<RequestSummary> out = new ArrayList<>();
    assertThat(assembler.drainCompleted(out::add)).as("no second, partial request").isZero();
  }

  @Test
  void spanOfAnEvictedRequestIsLate() {
    RequestAssembler capOfOne =
        new RequestAssembler(
            new AssemblyConfig(
                Duration.ofSeconds(5),
                Duration.ofMinutes(10),
                Duration.ofMinutes(2),
                1,
                "standard_interactive"));
    capOfOne.add(root());
    capOfOne.add(client(1).trace(7).at(0, 1_000).build()); // evicts the first request

    assertThat(capOfOne.add(retrieval())).isEqualTo(AddResult.LATE);

    assertThat(capOfOne.overflowed()).isEqualTo(1);
    assertThat(capOfOne.lateSpans()).isEqualTo(1);
    assertThat(capOfOne.inFlight()).isEqualTo(1);
  }
}
