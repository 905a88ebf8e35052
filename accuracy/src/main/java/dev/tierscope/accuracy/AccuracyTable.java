package dev.tierscope.accuracy;

import dev.tierscope.core.attribution.TierFinding;
import dev.tierscope.core.attribution.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The accuracy table of a sweep: per scenario and intensity the runs, correct verdicts, accuracy
 * and false alarms (runs that named a tier the faults did not move), as Markdown.
 */
public final class AccuracyTable {

  /** Counts of one row. */
  public record Row(
      String scenario,
      double intensity,
      String expected,
      int runs,
      int correct,
      int falseAlarms,
      int exemplars,
      int exemplarsOnFaultedTier) {

    public double accuracy() {
      return runs == 0 ? 0 : (double) correct / runs;
    }

    public double falseAlarmRate() {
      return runs == 0 ? 0 : (double) falseAlarms / runs;
    }
  }

  private AccuracyTable() {}

  /** Rows in the order the scenarios first appear, healthy first. */
  public static List<Row> rows(List<Outcome> outcomes) {
    Map<String, int[]> counts = new LinkedHashMap<>();
    Map<String, Outcome> first = new LinkedHashMap<>();
    for (boolean healthy : new boolean[] {true, false}) {
      for (Outcome o : outcomes) {
        if (o.scenario().isHealthy() != healthy) {
          continue;
        }
        String key = o.scenario().name() + "@" + o.intensity();
        first.putIfAbsent(key, o);
        int[] n = counts.computeIfAbsent(key, k -> new int[5]);
        n[0]++;
        n[1] += o.correct() ? 1 : 0;
        n[2] += o.falseAlarm() ? 1 : 0;
        n[3] += o.exemplars();
        n[4] += o.exemplarsOnFaultedTier();
      }
    }
    return first.entrySet().stream()
        .map(
            e -> {
              int[] n = counts.get(e.getKey());
              Outcome o = e.getValue();
              return new Row(
                  o.scenario().name(),
                  o.intensity(),
                  o.scenario().expectedText(),
                  n[0],
                  n[1],
                  n[2],
                  n[3],
                  n[4]);
            })
        .toList();
  }

  /** Counts of one confidence bin. */
  public record Bin(double from, double to, int verdicts, int correct, double meanConfidence) {

    public double accuracy() {
      return verdicts == 0 ? 0 : (double) correct / verdicts;
    }
  }

  /** Confidence bins' lower edges; the last bin ends at 1. */
  static final double[] BIN_EDGES = {0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99};

  /** One stated confidence and whether the statement was right. */
  public record Stated(double confidence, boolean right) {}

  /** The verdicts naming a tier ({@code tier}) or not, with their confidence. */
  public static List<Stated> verdicts(List<Outcome> outcomes, boolean tier) {
    List<Stated> out = new ArrayList<>();
    for (Outcome o : outcomes) {
      Verdict v = o.attribution().verdict();
      if (v != Verdict.INSUFFICIENT_DATA && (v.tier() != null) == tier) {
        out.add(new Stated(o.attribution().confidence(), o.verdictRight()));
      }
    }
    return out;
  }

  /** Every tier found, with its confidence; right when the faults moved that tier. */
  public static List<Stated> findings(List<Outcome> outcomes) {
    List<Stated> out = new ArrayList<>();
    for (Outcome o : outcomes) {
      for (TierFinding f : o.attribution().found()) {
        out.add(new Stated(f.confidence(), o.scenario().expectedTiers().contains(f.tier().id())));
      }
    }
    return out;
  }

  /** Per confidence bin, how many statements and how many were right. */
  public static List<Bin> calibration(List<Stated> stated) {
    List<Bin> out = new ArrayList<>();
    for (int b = 0; b < BIN_EDGES.length; b++) {
      double lo = BIN_EDGES[b];
      double hi = b + 1 < BIN_EDGES.length ? BIN_EDGES[b + 1] : Double.POSITIVE_INFINITY;
      int n = 0;
      int ok = 0;
      double sum = 0;
      for (Stated s : stated) {
        if (s.confidence() >= lo && s.confidence() < hi) {
          n++;
          ok += s.right() ? 1 : 0;
          sum += s.confidence();
        }
      }
      out.add(new Bin(lo, Math.min(1, hi), n, ok, n == 0 ? 0 : sum / n));
    }
    return out;
  }

  /** The calibration tables as Markdown. */
  public static String calibrationTable(List<Outcome> outcomes) {
    StringBuilder s = new StringBuilder();
    section(
        s, "Verdicts naming a tier (right: one of the faulted tiers)", verdicts(outcomes, true));
    section(s, "Verdicts none (right: nothing moved TTFT)", verdicts(outcomes, false));
    section(s, "Tiers found (right: the faults moved that tier)", findings(outcomes));
    return s.toString();
  }

  private static void section(StringBuilder s, String title, List<Stated> stated) {
    s.append(title).append(", by stated confidence:\n\n");
    s.append(
        "| confidence | stated | right | right (share) | mean stated |\n"
            + "|---|---:|---:|---:|---:|\n");
    for (Bin b : calibration(stated)) {
      if (b.verdicts() > 0) {
        s.append(
            String.format(
                Locale.ROOT,
                "| %.2f-%.2f | %d | %d | %.1f%% | %.3f |%n",
                b.from(),
                b.to(),
                b.verdicts(),
                b.correct(),
                100 * b.accuracy(),
                b.meanConfidence()));
      }
    }
    s.append('\n');
  }

  /** The table as Markdown, with a heading line describing the sweep. */
  public static String of(AccuracySweep.Config config, List<Outcome> outcomes) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "Attribution accuracy, class %s: seeds %d-%d, phases of %d s (simulated, the first %d s"
                + " of each left out), %.0f req/s (%.0f%% premium)%n%n",
            AccuracySweep.CLASS,
            config.firstSeed(),
            config.firstSeed() + config.seeds() - 1,
            config.faulted().toSeconds(),
            config.settle().toSeconds(),
            config.requestsPerSecond(),
            config.premiumShare() * 100));
    s.append(
        "| fault | intensity | expected | runs | correct | accuracy | false alarms | slowest"
            + " requests on the faulted tier |\n"
            + "|---|---:|---|---:|---:|---:|---:|---:|\n");
    for (Row r : rows(outcomes)) {
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %d | %d | %.1f%% | %d (%.1f%%) | %s |%n",
              r.scenario(),
              r.scenario().equals(Scenario.HEALTHY) ? "-" : Outcome.intensityText(r.intensity()),
              r.expected(),
              r.runs(),
              r.correct(),
              100 * r.accuracy(),
              r.falseAlarms(),
              100 * r.falseAlarmRate(),
              r.exemplars() == 0
                  ? "-"
                  : String.format(
                      Locale.ROOT,
                      "%.1f%% of %d",
                      100.0 * r.exemplarsOnFaultedTier() / r.exemplars(),
                      r.exemplars())));
    }
    return s.toString();
  }
}
