package dev.tierscope.server;

import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.FaultSchedule;
import dev.tierscope.simulator.FaultWindow;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.SimulatedRequest;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.TierscopeSink;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code --demo}: the simulator in this JVM, in real time, sending through the SDK to the server's
 * own ingest, cycling through a healthy period and one fault per tier. At the end of each phase it
 * asks the running API (over HTTP, as {@code curl} would) for that phase's premium TTFT p95 and the
 * attribution against the preceding healthy period, and prints it.
 */
public final class DemoMode implements AutoCloseable {

  /** Length of every phase (healthy or faulted); a whole cycle is six phases. */
  public static final Duration PHASE = Duration.ofSeconds(40);

  /** One fault per tier, in this order. */
  public static final List<FaultKind> FAULTS =
      List.of(
          FaultKind.EDGE_VPN, FaultKind.MESH_RETRIEVAL_SLOWDOWN, FaultKind.MODEL_QUEUE_SATURATION);

  /** Requests per second over all classes. */
  public static final double RATE = 100;

  /** The class the reports are about. */
  public static final String CLASS = "interactive_premium";

  /** The start of a phase that the reports leave out (requests of the previous phase end). */
  private static final Duration SETTLE = Duration.ofSeconds(10);

  /** How long after a phase ends its report is read (aggregator grace and checkpoint). */
  private static final Duration REPORT_DELAY = Duration.ofSeconds(12);

  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

  private final Simulation simulation;
  private final TierscopeSink spans;
  private final Thread thread;
  private final ScheduledExecutorService reports;
  private dev.tierscope.server.surge.LoopDemo loop;

  private DemoMode(Simulation simulation, TierscopeSink spans, ScheduledExecutorService reports) {
    this.simulation = simulation;
    this.spans = spans;
    this.reports = reports;
    this.thread = new Thread(this::runSimulation, "tierscope-demo-simulator");
    this.thread.setDaemon(true);
  }

  /** Starts the simulator against {@code server} and prints phase reports to {@code out}. */
  public static DemoMode start(TierscopeServer server, PrintStream out) {
    // Phases on 10 s boundaries, so that the API's 10 s windows fall exactly into them.
    Instant now = Instant.now();
    Instant start = now.truncatedTo(ChronoUnit.MINUTES);
    while (start.isBefore(now)) {
      start = start.plusSeconds(10);
    }
    SimulationConfig config =
        SimulationConfig.builder()
            .seed(System.currentTimeMillis())
            .requestsPerSecond(RATE)
            .duration(Duration.ZERO)
            .speed(1)
            .faults(FaultSchedule.cycle(PHASE, PHASE, FAULTS))
            .build();
    ScheduledExecutorService reports =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tierscope-demo-reports");
              t.setDaemon(true);
              return t;
            });
    TierscopeSink spans =
        TierscopeSink.create(config.seed(), b -> b.endpoint(server.otlpHttpUrl()));
    Reporter reporter = new Reporter(new ApiProbe(server.apiUrl()), out, reports, start);
    Simulation simulation =
        new Simulation(config, Clock.fixed(start, ZoneOffset.UTC), RequestSink.of(spans, reporter));
    DemoMode demo = new DemoMode(simulation, spans, reports);
    String api = server.apiUrl();
    out.printf(
        Locale.ROOT,
        """
        Demo: the simulator sends %.0f requests/s (three classes) through the SDK to this server, in real time.
          Every %ds the phase changes: healthy, %s, healthy, %s, healthy, %s, and again.
          At the end of each phase (about %ds later) a report reads the API: %s TTFT p95 and
          GET %s/api/v1/attribution?class=%s&from=<phase start>&to=<phase end>&baselineFrom=..&baselineTo=..
          against the preceding healthy phase. The first %ds of a phase are left out.
        %n""",
        RATE,
        PHASE.toSeconds(),
        describe(FAULTS.get(0)),
        describe(FAULTS.get(1)),
        describe(FAULTS.get(2)),
        REPORT_DELAY.toSeconds(),
        CLASS,
        api,
        CLASS,
        SETTLE.toSeconds());
    demo.thread.start();
    demo.loop = dev.tierscope.server.surge.LoopDemo.start(server, out);
    return demo;
  }

  private static String describe(FaultKind kind) {
    return kind.value() + " (" + kind.tier().name().toLowerCase(Locale.ROOT) + ")";
  }

  private void runSimulation() {
    try {
      simulation.run();
    } catch (RuntimeException e) {
      System.err.println("demo: the simulator stopped: " + e);
    }
  }

  /** Stops the simulator and the reports. */
  @Override
  public void close() {
    if (loop != null) {
      loop.close();
    }
    simulation.stop();
    reports.shutdownNow();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    spans.close();
  }

  /** Follows the fault switches (on the simulator thread) and schedules the phase reports. */
  private static final class Reporter implements RequestSink {
    private final ApiProbe api;
    private final PrintStream out;
    private final ScheduledExecutorService reports;
    private Instant healthyStart;
    private Instant previousHealthyStart;
    private Instant previousHealthyEnd;
    private Instant faultStart;

    Reporter(ApiProbe api, PrintStream out, ScheduledExecutorService reports, Instant start) {
      this.api = api;
      this.out = out;
      this.reports = reports;
      this.healthyStart = start;
    }

    @Override
    public void request(SimulatedRequest request) {}

    @Override
    public void faultStarted(FaultWindow fault, Instant at) {
      Instant from = healthyStart;
      Instant baseFrom = previousHealthyStart;
      Instant baseTo = previousHealthyEnd;
      schedule(() -> report("healthy", from, at, baseFrom, baseTo));
      previousHealthyStart = healthyStart;
      previousHealthyEnd = at;
      faultStart = at;
    }

    @Override
    public void faultEnded(FaultWindow fault, Instant at) {
      Instant from = faultStart;
      Instant baseFrom = previousHealthyStart;
      Instant baseTo = previousHealthyEnd;
      schedule(() -> report("fault " + describe(fault.kind()), from, at, baseFrom, baseTo));
      healthyStart = at;
    }

    private void schedule(Runnable report) {
      reports.schedule(
          () -> {
            try {
              report.run();
            } catch (RuntimeException e) {
              out.println("[demo] report failed: " + e.getMessage());
            }
          },
          REPORT_DELAY.toMillis(),
          TimeUnit.MILLISECONDS);
    }

    private void report(
        String phase, Instant start, Instant end, Instant baseFrom, Instant baseTo) {
      Instant from = start.plus(SETTLE);
      String when = time(start) + "-" + time(end);
      double p95 = api.ttftP95Ms(null, CLASS, from, end);
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT, "[demo] %s %-38s %s TTFT p95 %5.0f ms", when, phase, CLASS, p95));
      if (baseFrom != null) {
        ApiProbe.Attribution a =
            api.attribution(null, CLASS, from, end, baseFrom.plus(SETTLE), baseTo);
        line.append(
            String.format(
                Locale.ROOT,
                "%n         vs healthy %s-%s: verdict %s (confidence %.2f) | %s | %s",
                time(baseFrom),
                time(baseTo),
                a.verdict(),
                a.confidence(),
                a.tiersText(),
                a.firstEvidence()));
      }
      out.println(line);
    }

    private static String time(Instant t) {
      return HMS.format(LocalTime.ofInstant(t, ZoneOffset.UTC));
    }
  }
}
