package dev.tierscope.accuracy;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the attribution accuracy sweep and prints the accuracy table. */
@Command(
    name = "tierscope-accuracy",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Runs the attribution accuracy sweep in process and in simulated time: for each seed and"
          + " intensity a run with every fault kind and the three tier pairs, each against the"
          + " healthy phase before it, and the healthy phases against each other. Prints one line"
          + " per judged phase to stderr (with --verbose) and the accuracy table to stdout.",
      ""
    })
public final class AccuracyCommand implements Callable<Integer> {

  @Option(
      names = "--first-seed",
      defaultValue = "1001",
      description = "First seed (default ${DEFAULT-VALUE}, the held-out range)")
  long firstSeed;

  @Option(
      names = "--seeds",
      defaultValue = "25",
      description = "How many seeds (default ${DEFAULT-VALUE})")
  int seeds;

  @Option(
      names = "--intensity",
      split = ",",
      defaultValue = "1,0.5",
      description = "Fault intensities (default ${DEFAULT-VALUE})")
  List<Double> intensities;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "Runs in parallel (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--verbose", description = "Print every judged phase to stderr")
  boolean verbose;

  @Override
  public Integer call() {
    AccuracySweep.Config config =
        AccuracySweep.Config.defaults()
            .withSeeds(firstSeed, seeds)
            .withIntensities(intensities)
            .withThreads(threads);
    long started = System.nanoTime();
    List<Outcome> outcomes =
        new AccuracySweep(config)
            .run(
                run -> {
                  if (verbose) {
                    synchronized (System.err) {
                      run.forEach(o -> System.err.println(o.line()));
                    }
                  }
                });
    System.out.println(AccuracyTable.of(config, outcomes));
    System.out.println(AccuracyTable.calibrationTable(outcomes));
    System.out.printf(
        Locale.ROOT,
        "%d judged phases in %.0f s%n",
        outcomes.size(),
        (System.nanoTime() - started) / 1e9);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new AccuracyCommand()).execute(args));
  }
}
