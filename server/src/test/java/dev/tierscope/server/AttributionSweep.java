package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accuracy sweep through the full pipeline (SDK, ingest, Kafka, aggregator, PostgreSQL, API);
 * not part of {@code mvn verify} (the name matches neither the unit nor the integration test
 * pattern). The accuracy table of the README comes from the in-process sweep of the accuracy
 * module, which {@code AttributionAccuracyIT} checks against this pipeline; this one is the slow
 * cross-check (about two minutes per seed on a quiet machine). Run it on purpose:
 *
 * <pre>
 * mvn -B -pl server -am verify -Dit.test=AttributionSweep -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dsweep.seeds=20] [-Dsweep.first-seed=1] [-Dsweep.intensity=1] [-Dsweep.phase=60s] [-Dsweep.rate=30]
 * </pre>
 *
 * <p>One server; for each seed one {@link AccuracyRun} with every edge, mesh and model fault at
 * {@code sweep.intensity} (phases of {@code sweep.phase} simulated seconds). Prints one line per
 * verdict and then the accuracy table (fault type, runs, correct verdicts, accuracy). It asserts
 * only that every run produced a verdict.
 */
class AttributionSweep {

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
  void sweep() throws Exception {
    int seeds = Integer.getInteger("sweep.seeds", 20);
    Duration phase =
        Duration.ofSeconds(
            Long.parseLong(System.getProperty("sweep.phase", "60s").replace("s", "")));
    double rate = Double.parseDouble(System.getProperty("sweep.rate", "30"));
    long firstSeed = Long.getLong("sweep.first-seed", 1);
    double intensity = Double.parseDouble(System.getProperty("sweep.intensity", "1"));
    Map<dev.tierscope.simulator.FaultKind, Double> intensities = new java.util.HashMap<>();
    for (dev.tierscope.simulator.FaultKind k : AccuracyRun.kinds()) {
      intensities.put(k, intensity);
    }
    AccuracyRun run = new AccuracyRun(server, phase, phase, rate, intensities);
    List<AccuracyRun.Outcome> all = new ArrayList<>();
    long started = System.nanoTime();
    for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
      List<AccuracyRun.Outcome> outcomes = run.run(seed, AccuracyRun.kinds());
      outcomes.forEach(o -> System.out.println((o.correct() ? "  ok   " : "  MISS ") + o.line()));
      all.addAll(outcomes);
      System.out.printf(
          Locale.ROOT,
          "seed %d done, %d s elapsed%n",
          seed,
          (System.nanoTime() - started) / 1_000_000_000);
      if (seed < firstSeed + seeds - 1) {
        System.out.println(table(all, (int) (seed - firstSeed + 1), phase, rate));
      }
    }
    System.out.println(table(all, seeds, phase, rate));
    assertThat(all).hasSize(seeds * (AccuracyRun.kinds().size() + 1));
  }

  static String table(List<AccuracyRun.Outcome> all, int seeds, Duration phase, double rate) {
    Map<String, long[]> byScenario = new LinkedHashMap<>();
    for (AccuracyRun.Outcome o : all) {
      long[] n = byScenario.computeIfAbsent(o.scenario(), k -> new long[2]);
      n[0]++;
      if (o.correct()) {
        n[1]++;
      }
    }
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "%nAttribution accuracy (full pipeline): %d seeds, phases of %d s (simulated), %.0f req/s,"
                + " class %s%n",
            seeds,
            phase.toSeconds(),
            rate,
            AccuracyRun.CLASS.value()));
    s.append(
        String.format(
            Locale.ROOT,
            "| %-24s | %-8s | %4s | %7s | %8s |%n",
            "fault",
            "expected",
            "runs",
            "correct",
            "accuracy"));
    s.append("|--------------------------|----------|------|---------|----------|\n");
    long runs = 0;
    long correct = 0;
    for (Map.Entry<String, long[]> e : byScenario.entrySet()) {
      String expected =
          e.getKey().equals(AccuracyRun.HEALTHY)
              ? "none"
              : AccuracyRun.expected(dev.tierscope.simulator.FaultKind.parse(e.getKey()));
      long[] n = e.getValue();
      runs += n[0];
      correct += n[1];
      s.append(
          String.format(
              Locale.ROOT,
              "| %-24s | %-8s | %4d | %7d | %7.1f%% |%n",
              e.getKey(),
              expected,
              n[0],
              n[1],
              100.0 * n[1] / n[0]));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "| %-24s | %-8s | %4d | %7d | %7.1f%% |%n",
            "all",
            "",
            runs,
            correct,
            100.0 * correct / runs));
    return s.toString();
  }
}
