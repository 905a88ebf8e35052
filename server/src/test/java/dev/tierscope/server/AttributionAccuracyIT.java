package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.accuracy.AccuracySweep;
import dev.tierscope.accuracy.Outcome;
import dev.tierscope.accuracy.Scenario;
import dev.tierscope.simulator.FaultKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attribution against ground truth, end to end: simulator -> SDK -> ingest -> Kafka -> aggregator
 * -> PostgreSQL -> API. One seeded run in simulated time: a healthy phase, then every fault of the
 * edge, mesh and model tiers in turn (all at intensity 1), each followed by a healthy phase. For
 * every fault the API's verdict (that phase against the healthy phase before it) names the fault's
 * tier, {@code none} for a stream interruption (TTFT is unchanged), and a healthy phase against a
 * healthy phase gives {@code none}.
 *
 * <p>It is also the proof that the in-process sweep of the accuracy module (which produces the
 * accuracy table) measures what the product does: the same seed through {@link AccuracySweep} gives
 * every phase the same requests, TTFT p95 and verdict as the API.
 */
class AttributionAccuracyIT {

  /** Every fault at its default intensity. */
  static final Map<FaultKind, Double> INTENSITY = Map.of();

  static final long SEED = 7;

  private static TierscopeServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = AccuracyRun.startServer();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyFaultIsAttributedToItsTierAndAHealthyPhaseToNone() throws Exception {
    AccuracyRun run =
        new AccuracyRun(server, Duration.ofSeconds(60), Duration.ofSeconds(60), 30, INTENSITY);
    long started = System.nanoTime();
    List<AccuracyRun.Outcome> outcomes = run.run(SEED, AccuracyRun.kinds());
    System.out.printf("accuracy run took %d s%n", (System.nanoTime() - started) / 1_000_000_000);
    outcomes.forEach(o -> System.out.println(o.line()));
    System.out.println("accuracy run: " + AccuracyRun.lateSpans(server));

    assertThat(outcomes).hasSize(AccuracyRun.kinds().size() + 1);
    SoftAssertions soft = new SoftAssertions();
    for (AccuracyRun.Outcome o : outcomes) {
      soft.assertThat(o.attribution().verdict()).as(o.line()).isEqualTo(o.expected());
      soft.assertThat(o.attribution().confidence()).as(o.line()).isGreaterThan(0.5);
    }

    // The same seed in process: the accuracy table's path.
    AccuracySweep.Config config =
        AccuracySweep.Config.defaults()
            .withSeeds(SEED, 1)
            .withIntensities(List.of(1.0))
            .withScenarios(AccuracyRun.kinds().stream().map(Scenario::of).toList());
    List<Outcome> inProcess = new AccuracySweep(config).runSeed(SEED, 1.0);
    // the API's outcomes: healthy (second phase against the first), then the faults in order
    List<Outcome> comparable = new ArrayList<>();
    comparable.add(inProcess.get(config.scenarios().size()));
    comparable.addAll(inProcess.subList(0, config.scenarios().size()));
    for (int i = 0; i < outcomes.size(); i++) {
      AccuracyRun.Outcome api = outcomes.get(i);
      Outcome local = comparable.get(i);
      String what = api.scenario() + ": API " + api.line() + " | in process " + local.line();
      soft.assertThat(local.scenario().name()).as(what).isEqualTo(api.scenario());
      soft.assertThat(local.attribution().requests())
          .as(what)
          .isEqualTo(api.attribution().requests());
      soft.assertThat(local.attribution().ttftP95CurrentMicros() / 1000.0)
          .as(what)
          .isEqualTo(api.attribution().ttftP95Ms());
      soft.assertThat(local.verdict()).as(what).isEqualTo(api.attribution().verdict());
    }
    soft.assertAll();
  }
}
