package dev.tierscope.bench;

import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.embedded.PostgresEndpoint;
import dev.tierscope.embedded.PostgresServer;
import dev.tierscope.embedded.PostgresServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The whole pipeline under increasing offered load: a load generator (the OpenTelemetry SDK's
 * OTLP/HTTP protobuf exporter on several connections) -> ingest -> Kafka -> aggregator(s) ->
 * PostgreSQL -> API, each deployable in a JVM of its own, the broker and PostgreSQL real (the
 * {@code embedded} module). Not a test: the machine is shared, so figures are printed with the load
 * average and as ratios to Kafka's own {@code kafka-producer-perf-test} measured in the same run.
 *
 * <pre>
 * mvn -B -q -DskipTests install
 * mvn -B -q -pl bench exec:exec -Dexec.args="-cp %classpath dev.tierscope.bench.PipelineBenchmark"
 * mvn -B -q -pl bench exec:exec -Dexec.args="-cp %classpath dev.tierscope.bench.PipelineBenchmark --aggregators 1,2,3"
 * </pre>
 *
 * <p>Per step it prints the offered and achieved spans/s, refused exports, freshness (a request's
 * export acknowledged -> counted by the API) p50/p99/max, and the CPU of each stage (cores and
 * share of the pipeline). A step is sustained when nothing was refused, at least 95% of the offered
 * rate was acknowledged, every acknowledged request was counted by the API, and freshness p99
 * stayed within the aggregator's completion grace plus 1 s. After the steps of a configuration it
 * checks the exact totals: the API's requests and the aggregators' spans against what was
 * acknowledged.
 */
public final class PipelineBenchmark {

  static final String TENANT = "bench";
  private static final Duration GRACE = Duration.ofSeconds(5); // the aggregator's default grace
  private static final Duration FRESHNESS_LIMIT = GRACE.plusSeconds(1);
  private static final Duration POLL = Duration.ofMillis(100);

  /** Options with their defaults. */
  record Options(
      List<Double> rates,
      int seconds,
      int warmupSeconds,
      int connections,
      int requestsPerExport,
      List<Integer> aggregators,
      int partitions,
      long perfRecords,
      int refine,
      Path logs,
      int batchDelayMillis,
      List<String> earlyCompletion) {

    static Options parse(String[] args) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i += 2) {
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --option value, got " + args[i]);
        }
        m.put(args[i].substring(2), args[i + 1]);
      }
      List<Double> rates = new ArrayList<>();
      for (String r : m.getOrDefault("rates", "4000,8000,16000,32000,64000,128000").split(",")) {
        rates.add(Double.parseDouble(r.trim()));
      }
      List<Integer> aggregators = new ArrayList<>();
      for (String a : m.getOrDefault("aggregators", "1").split(",")) {
        aggregators.add(Integer.parseInt(a.trim()));
      }
      Options o =
          new Options(
              rates,
              Integer.parseInt(m.getOrDefault("seconds", "20")),
              Integer.parseInt(m.getOrDefault("warmup", "15")),
              Integer.parseInt(m.getOrDefault("connections", "4")),
              Integer.parseInt(m.getOrDefault("requests-per-export", "64")),
              aggregators,
              Integer.parseInt(m.getOrDefault("partitions", "6")),
              Long.parseLong(m.getOrDefault("perf-records", "1000000")),
              Integer.parseInt(m.getOrDefault("refine", "1")),
              Path.of(m.getOrDefault("logs", "target/pipeline-bench")),
              Integer.parseInt(m.getOrDefault("batch-delay-ms", "0")),
              earlyCompletion(m.getOrDefault("early-completion", "default")));
      m.keySet()
          .removeAll(
              List.of(
                  "rates",
                  "seconds",
                  "warmup",
                  "connections",
                  "requests-per-export",
                  "aggregators",
                  "partitions",
                  "perf-records",
                  "refine",
                  "logs",
                  "batch-delay-ms",
                  "early-completion"));
      if (!m.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + m.keySet());
      }
      return o;
    }

    /** {@code default} (the aggregator's own setting), {@code on}, {@code off}; a list. */
    private static List<String> earlyCompletion(String value) {
      List<String> out = new ArrayList<>();
      for (String e : value.split(",")) {
        String v = e.trim();
        if (!v.equals("default") && !v.equals("on") && !v.equals("off")) {
          throw new IllegalArgumentException("--early-completion takes default, on, off: " + v);
        }
        out.add(v);
      }
      return out;
    }
  }

  public static void main(String[] args) throws Exception {
    // the launcher's logback.xml is on the class path too: name ours, so logback does not warn
    System.setProperty("logback.configurationFile", loggingConfiguration());
    Options o = Options.parse(args);
    System.out.printf(
        "whole-pipeline benchmark: %d cores, load average %s; steps of %d s at %s spans/s,"
            + " %d connections x %d requests (%d spans) per export, %s aggregator instance(s),"
            + " %d partitions; exporters' batch delay %d ms (0: whole requests per export);"
            + " early completion %s%n",
        Runtime.getRuntime().availableProcessors(),
        loadAverages(),
        o.seconds(),
        o.rates(),
        o.connections(),
        o.requestsPerExport(),
        o.requestsPerExport() * OtlpLoad.SPANS_PER_REQUEST,
        o.aggregators(),
        o.partitions(),
        o.batchDelayMillis(),
        o.earlyCompletion());
    List<String> summary = new ArrayList<>();
    try (KafkaBroker broker = KafkaBroker.builder().build();
        PostgresServer pg = PostgresServers.startEmbedded(null)) {
      broker.start();
      ProcessHandle brokerProcess =
          ProcessHandle.current()
              .children()
              .filter(h -> commandLine(h).contains("BrokerMain"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no broker child process"));
      ProcessHandle postmaster = postmaster(pg.endpoint());
      for (int n : o.aggregators()) {
        for (String early : o.earlyCompletion()) {
          summary.add(new Configuration(o, n, early, broker, brokerProcess, pg, postmaster).run());
        }
      }
    }
    System.out.printf("%n==== summary (load average at the end %s)%n", loadAverages());
    summary.forEach(System.out::println);
    System.exit(0);
  }

  /** This module's logback.xml as a URL (the first on the class path). */
  static String loggingConfiguration() {
    return String.valueOf(PipelineBenchmark.class.getResource("/logback.xml"));
  }

  /** A process's command line from /proc (ProcessHandle.Info leaves out long ones). */
  private static String commandLine(ProcessHandle h) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"))
          .replace('\0', ' ');
    } catch (Exception e) {
      return h.info().commandLine().orElse("");
    }
  }

  /** The PostgreSQL server process (the parent of a backend). */
  private static ProcessHandle postmaster(PostgresEndpoint db) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select pg_backend_pid()")) {
      r.next();
      long backend = r.getLong(1);
      return ProcessHandle.of(backend)
          .flatMap(ProcessHandle::parent)
          .orElseThrow(() -> new IllegalStateException("no PostgreSQL server process"));
    }
  }

  /** One configuration: its own database, topic and group, its own stage processes. */
  private static final class Configuration {

    private final Options o;
    private final int aggregatorCount;
    private final String early;
    private final KafkaBroker broker;
    private final ProcessHandle brokerProcess;
    private final PostgresServer pg;
    private final ProcessHandle postmaster;
    private final List<StageProcess> aggregators = new ArrayList<>();
    private StageProcess ingest;
    private StageProcess api;

    Configuration(
        Options o,
        int aggregatorCount,
        String early,
        KafkaBroker broker,
        ProcessHandle brokerProcess,
        PostgresServer pg,
        ProcessHandle postmaster) {
      this.o = o;
      this.aggregatorCount = aggregatorCount;
      this.early = early;
      this.broker = broker;
      this.brokerProcess = brokerProcess;
      this.pg = pg;
      this.postmaster = postmaster;
    }

    String run() throws Exception {
      String name = "a" + aggregatorCount + "_" + System.currentTimeMillis() % 100000;
      String topic = "bench.spans." + name;
      String database = "bench_" + name;
      System.out.printf(
          "%n==== %d aggregator instance(s), early completion %s: topic %s (%d partitions),"
              + " database %s%n",
          aggregatorCount, early, topic, o.partitions(), database);
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, o.partitions(), (short) 1))).all().get();
      }
      String jdbcUrl = createDatabase(pg.endpoint(), database);
      Path logs = o.logs().resolve(name);
      Files.createDirectories(logs);
      List<Result> results = new ArrayList<>();
      long acknowledged = 0;
      Totals totals;
      try {
        start(topic, jdbcUrl, logs);
        String ingestUrl = "http://127.0.0.1:" + ingest.port() + "/v1/traces";
        try (OtlpLoad load =
                new OtlpLoad(
                    ingestUrl,
                    o.connections(),
                    o.requestsPerExport(),
                    TENANT,
                    Duration.ofMillis(o.batchDelayMillis()));
            ApiCounts counts = new ApiCounts("http://127.0.0.1:" + api.port(), TENANT, POLL)) {
          System.out.printf(
              "warm-up: %d s at %.0f spans/s (JIT, connections; not measured)%n",
              o.warmupSeconds(), o.rates().get(0));
          OtlpLoad.Step warm = load.run(o.rates().get(0), Duration.ofSeconds(o.warmupSeconds()));
          acknowledged += warm.requestsAcknowledged();
          if (!counts.awaitAtLeast(acknowledged, GRACE.plusSeconds(30))) {
            throw new IllegalStateException(
                "the warm-up's requests were not all counted: "
                    + counts.latest()
                    + " of "
                    + acknowledged);
          }
          header();
          List<Double> rates = new ArrayList<>(o.rates());
          double lastPass = 0;
          int refinements = 0;
          for (int i = 0; i < rates.size(); i++) {
            double rate = rates.get(i);
            Result r = step(load, counts, rate, acknowledged);
            acknowledged += r.step().requestsAcknowledged();
            results.add(r);
            System.out.println(r.row());
            if (r.sustained()) {
              lastPass = Math.max(lastPass, rate);
              continue;
            }
            // let the backlog clear before anything else is measured
            if (!counts.awaitAtLeast(acknowledged, Duration.ofSeconds(90))) {
              System.out.println("  backlog did not clear within 90 s: the sweep ends");
              break;
            }
            if (refinements < o.refine() && lastPass > 0 && rate - lastPass > 0.1 * lastPass) {
              // one step between the last sustained rate and this one
              refinements++;
              rates = new ArrayList<>(rates.subList(0, i + 1));
              rates.add(Math.rint((lastPass + rate) / 2));
            } else {
              break;
            }
          }
          counts.awaitAtLeast(acknowledged, GRACE.plusSeconds(30));
          totals = totals(counts, acknowledged);
        }
      } finally {
        stop();
      }
      System.out.println(totals.text());

      double perf = baseline(topic);
      Optional<Result> best =
          results.stream()
              .filter(Result::sustained)
              .max((a, b) -> Double.compare(a.achieved(), b.achieved()));
      Optional<Result> bestFresh =
          results.stream()
              .filter(r -> r.sustained() && r.fresh())
              .max((a, b) -> Double.compare(a.achieved(), b.achieved()));
      StringBuilder line = new StringBuilder();
      line.append(
          String.format(
              Locale.ROOT,
              "%d aggregator instance(s), early completion %s; kafka-producer-perf-test %,.0f"
                  + " records/s of the same records%n",
              aggregatorCount,
              early,
              perf));
      line.append("  highest sustained (nothing refused, >= 95% of offered, all counted): ")
          .append(best.map(r -> r.summary(perf)).orElse("none"))
          .append('\n');
      line.append(
              String.format(
                  Locale.ROOT,
                  "  highest sustained with freshness p99 <= grace + 1 s (%.1f s): ",
                  FRESHNESS_LIMIT.toMillis() / 1000.0))
          .append(
              bestFresh
                  .map(r -> r.summary(perf))
                  .orElse(
                      "none (lowest freshness p99 of a sustained step: "
                          + results.stream()
                              .filter(Result::sustained)
                              .mapToDouble(r -> r.freshness().p99Ms() / 1000)
                              .min()
                              .stream()
                              .mapToObj(v -> String.format(Locale.ROOT, "%.2f s", v))
                              .findFirst()
                              .orElse("-")
                          + ")"))
          .append('\n');
      line.append("  ").append(totals.text());
      System.out.println(line);
      return line.toString();
    }

    private void start(String topic, String jdbcUrl, Path logs) throws Exception {
      PostgresEndpoint db = pg.endpoint();
      Map<String, String> common = new LinkedHashMap<>();
      common.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
      common.put("tierscope.spans.topic", topic);
      common.put("tierscope.spans.dead-letter-topic", topic + ".dlq");
      common.put("tierscope.spans.partitions", Integer.toString(o.partitions()));
      for (int i = 1; i <= aggregatorCount; i++) {
        Map<String, String> a = new LinkedHashMap<>(common);
        a.put("spring.datasource.url", jdbcUrl);
        a.put("spring.datasource.username", db.user());
        a.put("spring.datasource.password", db.password());
        int port = StageProcess.freePort();
        a.put("server.port", Integer.toString(port));
        a.put("tierscope.aggregator.group", "bench-" + topic);
        if (!early.equals("default")) {
          a.put(
              "tierscope.aggregator.early-completion.enabled",
              Boolean.toString(early.equals("on")));
        }
        aggregators.add(StageProcess.start("aggregator-" + i, "aggregator", port, a, logs, "512m"));
      }
      Map<String, String> in = new LinkedHashMap<>(common);
      int ingestPort = StageProcess.freePort();
      in.put("server.port", Integer.toString(ingestPort));
      in.put("tierscope.ingest.grpc-port", Integer.toString(StageProcess.freePort()));
      in.put("management.server.port", Integer.toString(StageProcess.freePort()));
      ingest = StageProcess.start("ingest", "ingest", ingestPort, in, logs, "512m");
      Map<String, String> ap = new LinkedHashMap<>();
      ap.put("spring.datasource.url", jdbcUrl);
      ap.put("spring.datasource.username", db.user());
      ap.put("spring.datasource.password", db.password());
      int apiPort = StageProcess.freePort();
      ap.put("server.port", Integer.toString(apiPort));
      ap.put("management.server.port", Integer.toString(StageProcess.freePort()));
      // the counts only: the burn-rate gauges would add a budget evaluation per poll
      ap.put("tierscope.api.prometheus.budget-gauges", "false");
      api = StageProcess.start("api", "api", apiPort, ap, logs, "512m");
      for (StageProcess s : all()) {
        s.awaitHealthy(Duration.ofMinutes(4));
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (true) {
        int owned = 0;
        for (StageProcess a : aggregators) {
          owned += (int) a.meter("tierscope.aggregator.partitions.owned");
        }
        if (owned == o.partitions()) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the aggregators own " + owned + " of " + o.partitions() + " partitions");
        }
        Thread.sleep(500);
      }
      StringBuilder owned = new StringBuilder();
      for (StageProcess a : aggregators) {
        owned.append(
            String.format(
                " %s: %d partitions,",
                a.name(), (int) a.meter("tierscope.aggregator.partitions.owned")));
      }
      System.out.printf(
          "started (logs in %s):%s ingest, api; load average %s%n",
          logs, owned.toString().replaceAll(",$", ";"), loadAverages());
    }

    private List<StageProcess> all() {
      List<StageProcess> all = new ArrayList<>(aggregators);
      all.add(ingest);
      all.add(api);
      return all;
    }

    private void stop() throws InterruptedException {
      for (StageProcess s : all()) {
        if (s != null) {
          s.close();
        }
      }
    }

    private void header() {
      StringBuilder h =
          new StringBuilder(
              String.format(
                  "%n%9s %9s %9s %7s %8s %8s %8s | %s",
                  "offered",
                  "achieved",
                  "consumed",
                  "refused",
                  "fresh50",
                  "fresh99",
                  "freshMax",
                  "CPU cores (share of the pipeline): ingest, broker, aggregator(s), PostgreSQL,"
                      + " api; load generator; rest of the machine (other work)"));
      if (aggregatorCount > 1) {
        h.append(" | spans/s per aggregator instance");
      }
      System.out.println(h);
    }

    private Result step(OtlpLoad load, ApiCounts counts, double rate, long before)
        throws Exception {
      double[] consumed0 = consumed();
      Cpu cpu0 = cpu();
      OtlpLoad.Step s = load.run(rate, Duration.ofSeconds(o.seconds()));
      Cpu cpu1 = cpu();
      double[] consumed1 = consumed();
      String loadAvg = loadAverages();
      counts.awaitAtLeast(before + s.requestsAcknowledged(), GRACE.plusSeconds(20));
      Freshness.Summary f = Freshness.of(s.acks(), before, counts.counts());
      double[] perInstance = new double[consumed0.length];
      for (int i = 0; i < perInstance.length; i++) {
        perInstance[i] = (consumed1[i] - consumed0[i]) / s.seconds();
      }
      return new Result(s, f, cpu1.minus(cpu0, aggregatorCount), perInstance, loadAvg);
    }

    private double[] consumed() throws Exception {
      double[] c = new double[aggregators.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = aggregators.get(i).meter("tierscope.aggregator.spans.consumed");
      }
      return c;
    }

    private Cpu cpu() {
      List<Long> aggs = new ArrayList<>();
      for (StageProcess a : aggregators) {
        aggs.add(a.cpuNanos());
      }
      long pgNanos =
          StageProcess.cpuNanos(postmaster)
              + postmaster.descendants().mapToLong(StageProcess::cpuNanos).sum();
      return new Cpu(
          System.nanoTime(),
          ingest.cpuNanos(),
          StageProcess.cpuNanos(brokerProcess),
          aggs,
          pgNanos,
          api.cpuNanos(),
          StageProcess.cpuNanos(ProcessHandle.current()),
          machineBusyNanos());
    }

    private Totals totals(ApiCounts counts, long acknowledged) throws Exception {
      long apiRequests = counts.requests();
      double spans = 0;
      List<Long> perInstance = new ArrayList<>();
      double rejected = 0;
      double late = 0;
      for (StageProcess a : aggregators) {
        long c = (long) a.meter("tierscope.aggregator.spans.consumed");
        perInstance.add(c);
        spans += c;
        late += a.meter("tierscope.aggregator.spans.late");
      }
      return new Totals(acknowledged, apiRequests, (long) spans, perInstance, (long) late);
    }

    /** kafka-producer-perf-test with the real records of this run, on a fresh topic. */
    private double baseline(String topic) throws Exception {
      List<byte[]> sample =
          ProducerBaseline.sample(broker.bootstrapServers(), topic, o.partitions(), 20_000);
      Path file = o.logs().resolve("payloads-" + topic + ".txt");
      ProducerBaseline.check(sample, file);
      String perfTopic = topic + ".perf";
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(perfTopic, o.partitions(), (short) 1))).all().get();
      }
      System.out.printf(
          "kafka-producer-perf-test, %,d records from that file, the ingest's producer settings"
              + " (acks=all, idempotence, linger 5 ms, lz4), %d partitions, the stages stopped:%n",
          o.perfRecords(), o.partitions());
      return ProducerBaseline.run(broker.bootstrapServers(), perfTopic, o.perfRecords(), file);
    }
  }

  /** The exact totals after a configuration's steps. */
  record Totals(
      long acknowledgedRequests,
      long apiRequests,
      long spansConsumed,
      List<Long> perInstance,
      long late) {

    String text() {
      long spansSent = acknowledgedRequests * OtlpLoad.SPANS_PER_REQUEST;
      return String.format(
          Locale.ROOT,
          "totals: acknowledged %,d requests (%,d spans); the API counts %,d requests (%s);"
              + " the aggregators consumed %,d spans (%s) [per instance %s], late %d (%.3f%% of"
              + " the spans consumed)",
          acknowledgedRequests,
          spansSent,
          apiRequests,
          apiRequests == acknowledgedRequests
              ? "exact"
              : "DIFFERS by " + (apiRequests - acknowledgedRequests),
          spansConsumed,
          spansConsumed == spansSent ? "exact" : "DIFFERS by " + (spansConsumed - spansSent),
          perInstance,
          late,
          spansConsumed == 0 ? 0.0 : 100.0 * late / spansConsumed);
    }
  }

  /** CPU used so far by each stage, and by the whole machine. */
  record Cpu(
      long wallNanos,
      long ingest,
      long broker,
      List<Long> aggregators,
      long postgres,
      long api,
      long generator,
      long machine) {

    Cpu minus(Cpu before, int n) {
      List<Long> aggs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        aggs.add(aggregators.get(i) - before.aggregators.get(i));
      }
      return new Cpu(
          wallNanos - before.wallNanos,
          ingest - before.ingest,
          broker - before.broker,
          aggs,
          postgres - before.postgres,
          api - before.api,
          generator - before.generator,
          machine - before.machine);
    }

    long pipeline() {
      return ingest
          + broker
          + aggregators.stream().mapToLong(Long::longValue).sum()
          + postgres
          + api;
    }

    String shares() {
      double wall = wallNanos;
      double p = pipeline();
      StringBuilder aggs = new StringBuilder();
      for (long a : aggregators) {
        aggs.append(aggs.isEmpty() ? "" : "+").append(String.format(Locale.ROOT, "%.2f", a / wall));
      }
      long aggSum = aggregators.stream().mapToLong(Long::longValue).sum();
      long rest = machine - pipeline() - generator;
      return String.format(
          Locale.ROOT,
          "%.2f (%.0f%%), %.2f (%.0f%%), %s (%.0f%%), %.2f (%.0f%%), %.2f (%.0f%%); %.2f; %.2f",
          ingest / wall,
          100 * ingest / p,
          broker / wall,
          100 * broker / p,
          aggs,
          100 * aggSum / p,
          postgres / wall,
          100 * postgres / p,
          api / wall,
          100 * api / p,
          generator / wall,
          Math.max(0, rest) / wall);
    }
  }

  /** One load step's figures. */
  record Result(
      OtlpLoad.Step step, Freshness.Summary freshness, Cpu cpu, double[] perInstance, String load) {

    double achieved() {
      return step.achievedSpansPerSecond();
    }

    /** Spans/s the aggregators read during the step (their meters, summed). */
    double consumed() {
      return java.util.Arrays.stream(perInstance).sum();
    }

    /**
     * The pipeline kept up: nothing refused, the offered rate reached, the aggregators read at
     * least 90% of it during the step (no backlog building up), every request counted.
     */
    boolean sustained() {
      return step.requestsRefused() == 0
          && achieved() >= 0.95 * step.offeredSpansPerSecond()
          && consumed() >= 0.9 * achieved()
          && freshness.uncounted() == 0
          && freshness.requests() > 0;
    }

    /** Freshness p99 within the completion grace plus 1 s. */
    boolean fresh() {
      return freshness.p99Ms() <= FRESHNESS_LIMIT.toMillis();
    }

    /** The step in one line for the summary, with its ratio to the perf test. */
    String summary(double perf) {
      StringBuilder per = new StringBuilder();
      if (perInstance.length > 1) {
        per.append("; per aggregator instance");
        for (int i = 0; i < perInstance.length; i++) {
          per.append(
              String.format(
                  Locale.ROOT,
                  " %,.0f spans/s on %.2f cores",
                  perInstance[i],
                  cpu.aggregators().get(i) / (double) cpu.wallNanos()));
        }
      }
      double aggCpu = cpu.aggregators().stream().mapToLong(Long::longValue).sum();
      double consumed = consumed() * cpu.wallNanos() / 1e9;
      return String.format(
          Locale.ROOT,
          "%,.0f spans/s (offered %,.0f) = %.2fx kafka-producer-perf-test; freshness p50 %.2f s,"
              + " p99 %.2f s, mean %.2f s (exact whatever the order requests were counted in);"
              + " CPU cores (share): %s; aggregators %.1f CPU-us per span%s; load %s",
          achieved(),
          step.offeredSpansPerSecond(),
          achieved() / perf,
          freshness.p50Ms() / 1000,
          freshness.p99Ms() / 1000,
          freshness.meanMs() / 1000,
          cpu.shares(),
          consumed > 0 ? aggCpu / 1000 / consumed : Double.NaN,
          per,
          load);
    }

    String row() {
      StringBuilder r =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%9.0f %9.0f %9.0f %7d %7.2fs %7.2fs %7.2fs | %s | load %s%s",
                  step.offeredSpansPerSecond(),
                  achieved(),
                  consumed(),
                  step.requestsRefused(),
                  freshness.p50Ms() / 1000,
                  freshness.p99Ms() / 1000,
                  freshness.maxMs() / 1000,
                  cpu.shares(),
                  load,
                  sustained() && fresh() ? "" : "  <- " + reasons()));
      if (perInstance.length > 1) {
        r.append(" |");
        for (double v : perInstance) {
          r.append(String.format(Locale.ROOT, " %,.0f", v));
        }
      }
      return r.toString();
    }

    private String reasons() {
      List<String> why = new ArrayList<>();
      if (step.requestsRefused() > 0) {
        why.add(step.requestsRefused() + " requests refused");
      }
      if (achieved() < 0.95 * step.offeredSpansPerSecond()) {
        why.add("achieved < 95% of offered");
      }
      if (consumed() < 0.9 * achieved()) {
        why.add("the aggregators fell behind (read < 90% of achieved)");
      }
      if (freshness.uncounted() > 0) {
        why.add(freshness.uncounted() + " requests not counted within grace + 20 s");
      }
      if (!fresh()) {
        why.add("freshness p99 over grace + 1 s");
      }
      return (sustained() ? "sustained, but " : "not sustained: ") + String.join(", ", why);
    }
  }

  /** Creates {@code name} on the server of {@code db}; its JDBC URL. */
  private static String createDatabase(PostgresEndpoint db, String name) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    String url = db.jdbcUrl();
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    String params = q < 0 ? "" : url.substring(q);
    return base.substring(0, base.lastIndexOf('/') + 1) + name + params;
  }

  /** CPU time of the whole machine (busy: all but idle and iowait), nanoseconds. */
  static long machineBusyNanos() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return (total - idle) * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (Exception e) {
      return 0;
    }
  }

  /** The 1-minute load average, or "?". */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }

  /** The 1, 5 and 15-minute load averages, or "?". */
  static String loadAverages() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "?";
    }
  }

  private PipelineBenchmark() {}
}
