package dev.tierscope.core.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.span.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns the spans of one trace into its summary through the public API, as a partition would. */
final class Assemble {

  private Assemble() {}

  /** Grace 5 s, max age 10 min, lateness 2 min, 100 in flight. */
  static AssemblyConfig config(String fallbackClass) {
    return new AssemblyConfig(
        Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofMinutes(2), 100, fallbackClass);
  }

  static RequestSummary summaryOf(Span... spans) {
    return summaryOf(Arrays.asList(spans));
  }

  static RequestSummary summaryOf(List<Span> spans) {
    return summaryOf(config("standard_interactive"), spans);
  }

  static RequestSummary summaryOf(AssemblyConfig config, List<Span> spans) {
    RequestAssembler assembler = new RequestAssembler(config);
    for (Span s : spans) {
      assertThat(assembler.add(s)).isEqualTo(RequestAssembler.AddResult.ASSEMBLED);
    }
    return complete(assembler, config);
  }

  /**
   * Lets the grace period pass in stream time and returns the one request that completes, after
   * checking that it had not completed before.
   */
  static RequestSummary complete(RequestAssembler assembler, AssemblyConfig config) {
    List<RequestSummary> out = new ArrayList<>();
    assertThat(assembler.drainCompleted(out::add)).isZero();
    assertThat(assembler.inFlight()).isEqualTo(1);

    assembler.advanceStreamTime(assembler.streamTimeMicros() + config.grace().toNanos() / 1_000);
    assembler.drainCompleted(out::add);

    assertThat(out).hasSize(1);
    assertThat(assembler.inFlight()).isZero();
    return out.get(0);
  }
}
