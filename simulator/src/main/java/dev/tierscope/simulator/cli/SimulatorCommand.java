package dev.tierscope.simulator.cli;

import dev.tierscope.sdk.ExportStats;
import dev.tierscope.sdk.OtlpProtocol;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.sdk.admission.AdmissionAdvisor;
import dev.tierscope.simulator.AdmissionGate;
import dev.tierscope.simulator.AdviceChange;
import dev.tierscope.simulator.Durations;
import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.FaultSchedule;
import dev.tierscope.simulator.FaultWindow;
import dev.tierscope.simulator.GroundTruthWriter;
import dev.tierscope.simulator.LoadShape;
import dev.tierscope.simulator.Progress;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.SimulationResult;
import dev.tierscope.simulator.SurgeWindow;
import dev.tierscope.simulator.TierscopeSink;
import dev.tierscope.simulator.Workflow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The simulator's command line: parses options into a {@link SimulationConfig}, sends the traffic
 * through the Tierscope SDK and writes the ground truth, printing progress on long runs.
 */
@Command(
    name = "tierscope-simulator",
    mixinStandardHelpOptions = true,
    versionProvider = SimulatorCommand.Version.class,
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Sends always-on AI traffic through the Tierscope SDK as real OTLP: three traffic classes,"
          + " chat/RAG/agent/batch workflows with streamed answers, load shapes, and faults per"
          + " tier switched on a schedule. Writes a ground-truth JSON-lines file of what it"
          + " generated.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  # real time, 20 requests/s, until Ctrl+C",
      "  tierscope-simulator --duration 0",
      "  # a healthy period, then each tier faulted in turn, at 10x speed",
      "  tierscope-simulator --speed 10 --duration 30m --healthy 3m --faulted 3m \\",
      "      --fault-cycle edge-vpn,mesh-tool-timeout,model-queue-saturation",
      "  # a month-end surge compressed into an hour, sent as fast as the ingest takes it",
      "  tierscope-simulator --profile monthly-peak --profile-period 1h --duration 1h --speed 0",
      "",
      "Fault specs: KIND@START+DURATION[*INTENSITY], e.g. edge-mtu-blackhole@2m+3m*1.5;"
          + " --list-faults shows the kinds."
    })
public final class SimulatorCommand implements Callable<Integer> {

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description =
          "OTLP base URL of the ingest (default: $OTEL_EXPORTER_OTLP_ENDPOINT, else"
              + " http://127.0.0.1:4318, or :4317 for grpc).")
  String endpoint;

  @Option(
      names = "--protocol",
      paramLabel = "PROTOCOL",
      description =
          "http/protobuf or grpc (default: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).")
  String protocol;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description = "Header on every export request (repeatable).")
  Map<String, String> headers = new LinkedHashMap<>();

  @Option(
      names = "--tenant",
      paramLabel = "TENANT",
      description = "tierscope.tenant of the spans (default: none, i.e. default).")
  String tenant;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "N",
      description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--rate",
      defaultValue = "20",
      paramLabel = "REQ/S",
      description =
          "Base request rate over all classes, per simulated second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--mix",
      paramLabel = "CLASS=WEIGHT,...",
      split = ",",
      description =
          "Class shares, e.g. premium=0.25,standard=0.55,batch=0.2 (the default). Classes:"
              + " premium|interactive_premium, standard|standard_interactive, batch|deferred_batch.")
  Map<String, Double> mix;

  @Option(
      names = "--workflows",
      paramLabel = "CLASS:WORKFLOW=WEIGHT,...",
      description =
          "Workflow shares of one class (repeatable), e.g. premium:chat=0.6,rag=0.4. Workflows:"
              + " chat, rag, agent, batch_summarisation.")
  List<String> workflows = new ArrayList<>();

  @Option(
      names = "--profile",
      defaultValue = "steady",
      paramLabel = "SHAPE",
      description =
          "Load shape: steady, daily-cycle, monthly-peak, incident-spike (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(
      names = "--profile-period",
      paramLabel = "DURATION",
      description =
          "Period of the load shape (default: a day, 30 days, or an hour for incident-spike).")
  String profilePeriod;

  @Option(
      names = "--multiplier",
      defaultValue = "1",
      paramLabel = "X",
      description = "Scales the rate, e.g. 3 for a surge (default: ${DEFAULT-VALUE}).")
  double multiplier;

  @Option(
      names = "--model-capacity",
      paramLabel = "N|auto",
      description =
          "Requests the model tier serves at once; the rest wait first in, first out. 'auto': the"
              + " base load (--rate, --mix) uses half of it. Default: no limit.")
  String modelCapacity;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      description =
          "A proxy in front of the gateway cuts every stream still running this long after the"
              + " client sent it (a CRUD-era idle timeout, e.g. 30s): interrupted, cause"
              + " idle_timeout, all at one duration into the stream. Default: none.")
  String idleTimeout;

  @Option(
      names = "--surge",
      paramLabel = "START+DURATION*MULTIPLIER",
      description = "A surge of the rate, e.g. 5m+5m*3.")
  String surge;

  @Option(
      names = "--surge-mix",
      split = ",",
      paramLabel = "CLASS=WEIGHT",
      description =
          "Class shares during the surge (default: --mix), e.g. premium=0.2,standard=0.4,batch=0.4.")
  Map<String, Double> surgeMix;

  @Option(
      names = "--admission-endpoint",
      paramLabel = "URL",
      description =
          "Closed loop: the gateway follows Tierscope's admission signals for --tenant, read from"
              + " this API (e.g. http://127.0.0.1:8080) with the SDK's AdmissionAdvisor. Needs"
              + " --model-capacity and a --speed above 0.")
  String admissionEndpoint;

  @Option(
      names = "--fault",
      paramLabel = "KIND@START+DURATION[*INTENSITY]",
      description = "A fault window (repeatable), e.g. edge-vpn@2m+3m.")
  List<String> faults = new ArrayList<>();

  @Option(
      names = "--fault-cycle",
      paramLabel = "KIND,...",
      split = ",",
      description = "Repeat: --healthy without faults, then each kind for --faulted in turn.")
  List<String> faultCycle = new ArrayList<>();

  @Option(
      names = "--healthy",
      defaultValue = "2m",
      paramLabel = "DURATION",
      description = "Healthy time before each fault of --fault-cycle (default: ${DEFAULT-VALUE}).")
  String healthy;

  @Option(
      names = "--faulted",
      defaultValue = "2m",
      paramLabel = "DURATION",
      description = "Time each fault of --fault-cycle stays on (default: ${DEFAULT-VALUE}).")
  String faulted;

  @Option(
      names = "--duration",
      defaultValue = "10m",
      paramLabel = "DURATION",
      description = "Simulated length; 0 runs until Ctrl+C (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--speed",
      defaultValue = "1",
      paramLabel = "X",
      description =
          "Simulated seconds per real second; 1 is real time, 0 is as fast as the ingest takes it"
              + " (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(
      names = "--start",
      defaultValue = "auto",
      paramLabel = "INSTANT",
      description =
          "Simulated start, ISO-8601 or 'now'. Default 'auto': now at real time; for faster runs"
              + " early enough that the run ends about when it finishes, so no span lies in the future.")
  String start;

  @Option(
      names = "--clients",
      defaultValue = "500",
      paramLabel = "N",
      description = "Distinct interactive clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--truth",
      defaultValue = "simulator-truth.jsonl",
      paramLabel = "FILE",
      description = "Ground-truth JSON-lines file (default: ${DEFAULT-VALUE}).")
  Path truth;

  @Option(names = "--no-truth", description = "Write no ground-truth file.")
  boolean noTruth;

  @Option(
      names = "--progress",
      defaultValue = "5s",
      paramLabel = "DURATION",
      description =
          "Progress line every DURATION of real time on stderr; 0 for none (default: ${DEFAULT-VALUE}).")
  String progress;

  @Option(
      names = "--dry-run",
      description = "Generate and write the ground truth only; send no spans.")
  boolean dryRun;

  @Option(names = "--list-faults", description = "List the fault kinds and exit.")
  boolean listFaults;

  @Option(
      names = "--verbose",
      description =
          "Also log the OpenTelemetry exporter's own messages (stack traces of failed exports).")
  boolean verbose;

  // JUL keeps loggers weakly: hold the one whose level is set.
  private static final java.util.logging.Logger OTEL_LOG =
      java.util.logging.Logger.getLogger("io.opentelemetry");

  private final Clock clock;

  public SimulatorCommand() {
    this(Clock.systemUTC());
  }

  SimulatorCommand(Clock clock) {
    this.clock = clock;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured picocli command line (for tests and embedding). */
  public static CommandLine commandLine() {
    return new CommandLine(new SimulatorCommand());
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (listFaults) {
      for (FaultKind k : FaultKind.values()) {
        out.printf(Locale.ROOT, "%-24s %-5s %s%n", k.value(), k.tier().value(), k.description());
      }
      out.flush();
      return 0;
    }
    SimulationConfig config = config();
    Instant startAt = startInstant(config);
    OtlpProtocol otlpProtocol = protocol == null ? null : parseProtocol(protocol);
    if (!verbose) {
      // Failed exports are counted and shown in the progress line and the summary; the
      // exporter's stack traces would bury them.
      OTEL_LOG.setLevel(java.util.logging.Level.OFF);
    }
    Duration progressEvery = parseDuration(progress, "--progress");

    List<RequestSink> sinks = new ArrayList<>();
    TierscopeSink spans = null;
    if (!dryRun) {
      spans =
          TierscopeSink.create(
              seed,
              b -> {
                b.environment(System.getenv());
                OtlpProtocol p = protocol == null ? null : parseProtocol(protocol);
                if (p != null) {
                  b.protocol(p);
                }
                String env = System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
                if (endpoint != null) {
                  b.endpoint(endpoint);
                } else if (env == null || env.isBlank()) {
                  b.endpoint(
                      p == OtlpProtocol.GRPC ? "http://127.0.0.1:4317" : "http://127.0.0.1:4318");
                }
                headers.forEach(b::header);
                if (tenant != null) {
                  b.tenant(tenant);
                }
                return b;
              });
      sinks.add(spans);
    }
    GroundTruthWriter truthWriter = noTruth ? null : GroundTruthWriter.toFile(truth);
    if (truthWriter != null) {
      sinks.add(truthWriter);
    }
    RequestSink sink = RequestSink.of(sinks.toArray(RequestSink[]::new));

    err.printf(
        Locale.ROOT,
        "tierscope-simulator: seed %d, %s req/s x%s, %s, %s, start %s, speed %s%n  faults: %s%n  spans -> %s%n  truth -> %s%n",
        seed,
        number(rate),
        number(multiplier),
        config.loadShape().value()
            + (config.loadShape() == LoadShape.STEADY
                ? ""
                : " (period " + Durations.format(config.loadPeriod()) + ")"),
        config.unbounded() ? "until Ctrl+C" : Durations.format(config.duration()),
        startAt,
        speed == 0 ? "max" : number(speed) + "x",
        config.faults(),
        spans == null ? "(dry run: none)" : spans.endpoint(),
        truthWriter == null ? "(none)" : truth.toAbsolutePath());
    err.flush();

    Simulation simulation = new Simulation(config, Clock.fixed(startAt, ZoneOffset.UTC), sink);
    AdmissionAdvisor advisor = null;
    if (admissionEndpoint != null) {
      advisor =
          AdmissionAdvisor.builder()
              .endpoint(admissionEndpoint)
              .tenant(tenant == null ? "default" : tenant)
              .build();
      simulation.gate(AdmissionGate.of(advisor));
      err.printf(Locale.ROOT, "  admission advice <- %s (closed loop)%n", admissionEndpoint);
      err.flush();
    }
    final TierscopeSink spanSink = spans;
    if (!progressEvery.isZero()) {
      simulation.onProgress(progressEvery, p -> printProgress(err, startAt, p, spanSink));
    }
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              simulation.stop();
              try {
                finished.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "simulator-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    SimulationResult result;
    try {
      result = simulation.run();
      if (spans != null) {
        spans.flush(Duration.ofSeconds(15));
      }
    } finally {
      sink.close();
      if (advisor != null) {
        advisor.close();
      }
      finished.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down already (Ctrl+C): the hook is running
    }
    return summarize(out, config, result, spans);
  }

  private int summarize(
      PrintWriter out, SimulationConfig config, SimulationResult r, TierscopeSink spans) {
    String traffic =
        r.stopped() || config.unbounded()
            ? Durations.format(r.simulated()) + " of traffic (stopped)"
            : Durations.format(config.duration())
                + " of traffic (last stream ended at +"
                + Durations.format(r.simulated())
                + ")";
    out.printf(
        Locale.ROOT,
        "Simulated %s in %s: %s requests (%s)%n",
        traffic,
        Durations.format(r.real()),
        count(r.requests()),
        perClass(r.byClass()));
    out.printf(Locale.ROOT, "  outcomes: %s%n", joined(r.byOutcome()));
    out.printf(Locale.ROOT, "  faults:   %s%n", joined(r.byFault()));
    if (config.capacityLimited()) {
      out.printf(
          Locale.ROOT,
          "  model:    %d slots, at most %s waiting%n",
          config.modelCapacity(),
          count(r.peakModelQueue()));
    }
    for (AdviceChange c : r.adviceChanges()) {
      out.printf(
          Locale.ROOT,
          "  advice:   +%s %s %s -> %s%n",
          Durations.format(c.offset()),
          c.trafficClass().value(),
          c.from(),
          c.to());
    }
    int code = 0;
    if (spans != null) {
      ExportStats s = spans.stats();
      out.printf(
          Locale.ROOT,
          "  spans:    %s exported, %s dropped, %s failed -> %s%n",
          count(s.exported()),
          count(s.dropped()),
          count(s.failed()),
          spans.endpoint());
      if (s.lost() > 0 || s.exported() < s.ended()) {
        out.printf(
            Locale.ROOT,
            "  WARNING: %s of %s spans did not reach the ingest; is it running at %s?%n",
            count(s.ended() - s.exported()),
            count(s.ended()),
            spans.endpoint());
        code = 3;
      }
    }
    if (!noTruth) {
      out.printf(Locale.ROOT, "  truth:    %s%n", truth.toAbsolutePath());
    }
    out.flush();
    return code;
  }

  private static void printProgress(
      PrintWriter err, Instant start, Progress p, TierscopeSink spans) {
    StringBuilder line = new StringBuilder();
    line.append(
        String.format(
            Locale.ROOT,
            "[%8s] sim %s (+%s) | %s req, %s/s x%s | %s",
            elapsed(p.real()),
            start.plus(p.simulated()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
            Durations.format(p.simulated()),
            count(p.requests()),
            number(p.rate()),
            number(p.multiplier()),
            perClass(p.byClass())));
    line.append(" | fault: ");
    if (p.activeFaults().isEmpty()) {
      line.append("none");
    } else {
      for (int i = 0; i < p.activeFaults().size(); i++) {
        FaultWindow f = p.activeFaults().get(i);
        line.append(i == 0 ? "" : ", ")
            .append(f.kind().value())
            .append(" (")
            .append(f.kind().tier().value())
            .append(')');
      }
    }
    if (p.modelBusy() > 0 || p.modelQueued() > 0) {
      line.append(
          String.format(
              Locale.ROOT, " | model %d busy, %d queued", p.modelBusy(), p.modelQueued()));
    }
    if (!p.advice().isEmpty()) {
      line.append(" | advice");
      p.advice().forEach((c, a) -> line.append(' ').append(shortName(c)).append('=').append(a));
    }
    if (spans != null) {
      ExportStats s = spans.stats();
      line.append(
          String.format(
              Locale.ROOT,
              " | spans %s sent, %s queued, %s dropped, %s failed",
              count(s.exported()),
              count(s.pending()),
              count(s.dropped()),
              count(s.failed())));
    }
    err.println(line);
    err.flush();
  }

  // ---- option parsing

  SimulationConfig config() {
    SimulationConfig.Builder b =
        SimulationConfig.builder()
            .seed(seed)
            .requestsPerSecond(rate)
            .rateMultiplier(multiplier)
            .speed(speed)
            .clients(clients)
            .duration(parseDuration(duration, "--duration"));
    LoadShape shape;
    try {
      shape = LoadShape.parse(profile);
    } catch (IllegalArgumentException e) {
      throw usage("--profile: " + e.getMessage());
    }
    b.loadShape(shape);
    if (profilePeriod != null) {
      b.loadPeriod(parseDuration(profilePeriod, "--profile-period"));
    }
    if (mix != null) {
      Map<TrafficClass, Double> m = new EnumMap<>(TrafficClass.class);
      mix.forEach((k, v) -> m.put(parseClass(k, "--mix"), v));
      b.classMix(m);
    }
    for (String spec : workflows) {
      int colon = spec.indexOf(':');
      if (colon <= 0) {
        throw usage("--workflows '" + spec + "': use CLASS:WORKFLOW=WEIGHT,...");
      }
      TrafficClass c = parseClass(spec.substring(0, colon), "--workflows");
      Map<Workflow, Double> m = new EnumMap<>(Workflow.class);
      for (String pair : spec.substring(colon + 1).split(",")) {
        String[] kv = pair.split("=", 2);
        try {
          m.put(
              Workflow.parse(kv[0].trim()),
              kv.length == 2 ? Double.parseDouble(kv[1].trim()) : 1.0);
        } catch (IllegalArgumentException e) {
          throw usage("--workflows '" + spec + "': " + e.getMessage());
        }
      }
      b.workflowMix(c, m);
    }
    b.faults(schedule());
    if (surge != null) {
      Map<TrafficClass, Double> m = new EnumMap<>(TrafficClass.class);
      if (surgeMix != null) {
        surgeMix.forEach((k, v) -> m.put(parseClass(k, "--surge-mix"), v));
      }
      try {
        b.surge(SurgeWindow.parse(surge, m));
      } catch (IllegalArgumentException e) {
        throw usage("--surge: " + e.getMessage());
      }
    } else if (surgeMix != null) {
      throw usage("--surge-mix needs --surge");
    }
    if (idleTimeout != null) {
      b.idleTimeout(parseDuration(idleTimeout, "--idle-timeout"));
    }
    try {
      if (modelCapacity != null) {
        if (modelCapacity.equalsIgnoreCase("auto")) {
          b.modelCapacity(b.build().capacityFor(0.5));
        } else {
          try {
            int n = Integer.parseInt(modelCapacity.trim());
            if (n < 1) {
              throw usage("--model-capacity must be at least 1 or 'auto', was " + modelCapacity);
            }
            b.modelCapacity(n);
          } catch (NumberFormatException e) {
            throw usage("--model-capacity: '" + modelCapacity + "' is not a number or 'auto'");
          }
        }
      }
      SimulationConfig c = b.build();
      if (admissionEndpoint != null && (!c.capacityLimited() || c.speed() == 0)) {
        throw usage("--admission-endpoint needs --model-capacity and a --speed above 0");
      }
      return c;
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private FaultSchedule schedule() {
    List<FaultWindow> windows = new ArrayList<>();
    try {
      for (String f : faults) {
        windows.add(FaultWindow.parse(f));
      }
      if (!faultCycle.isEmpty()) {
        if (!windows.isEmpty()) {
          throw usage("use either --fault or --fault-cycle, not both");
        }
        List<FaultKind> kinds = new ArrayList<>();
        for (String k : faultCycle) {
          kinds.add(FaultKind.parse(k));
        }
        return FaultSchedule.cycle(
            parseDuration(healthy, "--healthy"), parseDuration(faulted, "--faulted"), kinds);
      }
    } catch (ParameterException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    return FaultSchedule.of(windows);
  }

  Instant startInstant(SimulationConfig config) {
    Instant now = clock.instant();
    if ("now".equalsIgnoreCase(start)) {
      return now;
    }
    if (!"auto".equalsIgnoreCase(start)) {
      try {
        return Instant.parse(start);
      } catch (RuntimeException e) {
        throw usage("--start '" + start + "': use an ISO-8601 instant, 'now' or 'auto'");
      }
    }
    if (config.unbounded() || (speed > 0 && speed <= 1)) {
      return now;
    }
    // The run ends (in simulated time) about when it finishes in real time.
    Duration d = config.duration();
    Duration real = speed == 0 ? Duration.ZERO : Duration.ofNanos((long) (d.toNanos() / speed));
    return now.minus(d).plus(real);
  }

  private OtlpProtocol parseProtocol(String value) {
    try {
      return OtlpProtocol.fromValue(value);
    } catch (IllegalArgumentException e) {
      throw usage("--protocol: " + e.getMessage());
    }
  }

  private Duration parseDuration(String value, String option) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  private TrafficClass parseClass(String value, String option) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "premium":
        return TrafficClass.INTERACTIVE_PREMIUM;
      case "standard":
        return TrafficClass.STANDARD_INTERACTIVE;
      case "batch":
        return TrafficClass.DEFERRED_BATCH;
      default:
        TrafficClass c = TrafficClass.fromValue(v);
        if (c == null) {
          throw usage(option + ": unknown class '" + value + "' (premium, standard, batch)");
        }
        return c;
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  // ---- formatting

  /** Wall-clock time for the progress line: tenths of a second below a minute. */
  static String elapsed(Duration d) {
    if (d.toSeconds() < 60) {
      return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    return Durations.format(d);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e9
        ? Long.toString((long) d)
        : String.format(Locale.ROOT, "%.2f", d);
  }

  private static String shortName(TrafficClass c) {
    return switch (c) {
      case INTERACTIVE_PREMIUM -> "premium";
      case STANDARD_INTERACTIVE -> "standard";
      case DEFERRED_BATCH -> "batch";
    };
  }

  private static String perClass(Map<TrafficClass, Long> byClass) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<TrafficClass, Long> e : byClass.entrySet()) {
      s.append(s.length() == 0 ? "" : " ")
          .append(shortName(e.getKey()))
          .append(' ')
          .append(count(e.getValue()));
    }
    return s.toString();
  }

  private static String joined(Map<String, Long> counts) {
    StringBuilder s = new StringBuilder();
    counts.forEach(
        (k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(count(v)));
    return s.length() == 0 ? "-" : s.toString();
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SimulatorCommand.class.getPackage().getImplementationVersion();
      return new String[] {"tierscope-simulator " + (v == null ? "(development build)" : v)};
    }
  }
}
