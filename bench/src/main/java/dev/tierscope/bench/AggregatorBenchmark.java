package dev.tierscope.bench;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.aggregator.consumer.AggregatorMetrics;
import dev.tierscope.aggregator.consumer.DeadLetters;
import dev.tierscope.aggregator.consumer.LoopSettings;
import dev.tierscope.aggregator.consumer.SpanConsumerLoop;
import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.assembly.RequestAssembler;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanLimits;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.embedded.PostgresServer;
import dev.tierscope.embedded.PostgresServers;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresCheckpointStore;
import dev.tierscope.store.PostgresRollups;
import dev.tierscope.wire.SpanBytesDecoder;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Aggregator throughput against Kafka's own {@code kafka-consumer-perf-test} on the same data and
 * broker, in one run (the machine is shared and noisy: only the ratio means something).
 *
 * <pre>
 * mvn -B -q -DskipTests install
 * mvn -B -q -pl bench exec:exec -Dexec.args="-Xmx2g -cp %classpath dev.tierscope.bench.AggregatorBenchmark 5000000"
 * </pre>
 *
 * <p>It fills a topic with realistic span events (8 spans per request: client, gateway, model, two
 * retrievals, two tool calls, a policy check), runs ConsumerPerformance on it, then the aggregator
 * from offset 0 to the end twice: with the PostgreSQL checkpoint store (the real thing) and with
 * the in-memory reference store (what the loop costs without the database).
 */
public final class AggregatorBenchmark {

  private static final int SPANS_PER_REQUEST = 8;
  private static final int PARTITIONS = 6;

  public static void main(String[] args) throws Exception {
    long spans = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
    long requests = spans / SPANS_PER_REQUEST;
    spans = requests * SPANS_PER_REQUEST;
    footprint();
    try (KafkaBroker broker = KafkaBroker.builder().build()) {
      broker.start();
      String topic = "bench.spans";
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
      }
      long bytes = fill(broker.bootstrapServers(), topic, requests);
      System.out.printf(
          "topic %s: %,d spans (%,d requests), %.1f MB, %d partitions%n",
          topic, spans, requests, bytes / 1e6, PARTITIONS);

      double[] perfRates = consumerPerfTest(broker.bootstrapServers(), topic, spans);
      double perf = perfRates[0];
      double fetch = perfRates[1];
      System.out.printf(
          "kafka-consumer-perf-test: %,.0f records/s overall, %,.0f records/s excluding its group"
              + " join%n",
          perf, fetch);
      // CPU per record, robust to a loaded machine: the perf test in this JVM (warm: second run).
      consumerPerfTestCpuNanos(broker.bootstrapServers(), topic, spans);
      double perfCpuNanos = consumerPerfTestCpuNanos(broker.bootstrapServers(), topic, spans);
      System.out.printf(
          "kafka-consumer-perf-test in this JVM: %,.0f ns CPU per record (its consuming thread)%n",
          perfCpuNanos);

      AssemblyConfig assembly = assemblyConfig();
      System.out.printf(
          "assembly: grace %s, early completion %s%n",
          assembly.grace(),
          assembly.earlyCompletion() ? "on, settle " + assembly.earlySettle() : "off");
      double memory =
          runAggregator(
              broker.bootstrapServers(),
              topic,
              spans,
              "in-memory store",
              new InMemoryWindowStore());
      System.out.printf(
          "CPU per span, aggregator threads / perf test's thread: in-memory store %.2fx%n",
          lastCpuNanosPerSpan / perfCpuNanos);
      if (!Boolean.parseBoolean(System.getProperty("bench.postgres", "true"))) {
        // -Dbench.postgres=false: the in-memory store only, for quick comparisons.
        System.out.printf(
            "%nratio aggregator/consumer-perf-test: in-memory store %.2fx overall, %.2fx of its"
                + " fetch rate%n",
            memory / perf, memory / fetch);
        return;
      }
      try (PostgresServer pg = PostgresServers.startEmbedded(null)) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(pg.endpoint().jdbcUrl());
        c.setUsername(pg.endpoint().user());
        c.setPassword(pg.endpoint().password());
        c.setMaximumPoolSize(2);
        try (HikariDataSource ds = new HikariDataSource(c)) {
          Migrations.migrate(ds);
          // the partitions of today's windows, as the aggregator's rollup job creates them
          new PostgresRollups(ds, Rollups.Settings.defaults()).run(java.time.Instant.now());
          double postgres =
              runAggregator(
                  broker.bootstrapServers(),
                  topic,
                  spans,
                  "PostgreSQL store",
                  new PostgresCheckpointStore(ds));
          System.out.printf(
              "%nratio aggregator/consumer-perf-test (both including group join): PostgreSQL store"
                  + " %.2fx, in-memory store %.2fx%n",
              postgres / perf, memory / perf);
          System.out.printf(
              "ratio aggregator/consumer-perf-test fetch rate (stricter: the perf test without its"
                  + " join): PostgreSQL store %.2fx, in-memory store %.2fx%n",
              postgres / fetch, memory / fetch);
          System.out.printf(
              "CPU per span, aggregator threads / perf test's thread: PostgreSQL store %.2fx%n",
              lastCpuNanosPerSpan / perfCpuNanos);
        }
      }
    }
  }

  /** Produces the requests; returns the bytes written. */
  private static long fill(String bootstrap, String topic, long requests) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    SplittableRandom random = new SplittableRandom(1);
    String[] classes = {"interactive_premium", "standard_interactive", "deferred_batch"};
    long base = System.currentTimeMillis() * 1000 - 3_600_000_000L;
    long bytes = 0;
    long step = Math.max(1, requests / 10);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < requests; i++) {
        List<SpanEvent> spans = request(random, classes, base, i);
        byte[] trace = spans.get(0).getTraceId().toByteArray();
        for (SpanEvent s : spans) {
          byte[] v = s.toByteArray();
          bytes += v.length + trace.length;
          producer.send(new ProducerRecord<>(topic, trace, v));
        }
        if ((i + 1) % step == 0) {
          System.out.printf("  filled %,d of %,d requests%n", i + 1, requests);
        }
      }
      producer.flush();
    }
    return bytes;
  }

  /**
   * What the aggregator's state costs in heap: an in-flight request (measured: 50,000 requests of
   * this benchmark's shape held by one assembler, heap after GC) and a live histogram
   * (HdrHistogram's own estimate at the aggregator's default of 2 significant digits).
   */
  private static void footprint() {
    int n = 50_000;
    SplittableRandom random = new SplittableRandom(2);
    String[] classes = {"interactive_premium", "standard_interactive", "deferred_batch"};
    long base = System.currentTimeMillis() * 1000 - 3_600_000_000L;
    List<byte[]> values = new ArrayList<>(n * SPANS_PER_REQUEST);
    for (long i = 0; i < n; i++) {
      for (SpanEvent e : request(random, classes, base, i)) {
        values.add(e.toByteArray());
      }
    }
    AssemblyConfig config = assemblyConfig();
    long before = heapAfterGc();
    RequestAssembler assembler = new RequestAssembler(config);
    for (byte[] v : values) {
      assembler.add(SpanBytesDecoder.SPAN_EVENT_V1.decode(v), v.length);
    }
    long after = heapAfterGc();
    if (assembler.inFlight() != n) {
      throw new IllegalStateException("expected " + n + " in flight, got " + assembler.inFlight());
    }
    Histogram typical = new Histogram(2);
    Histogram widest = new Histogram(2);
    for (long v = 1; v <= 2_000_000; v += 997) {
      typical.recordValue(v);
    }
    widest.recordValue(1);
    widest.recordValue(SpanLimits.MAX_DURATION_MICROS);
    System.out.printf(
        "heap: %,d bytes per in-flight request (%d spans, 3 of them key spans; measured over %,d"
            + " requests); %,d bytes per live histogram (2 digits, values up to 2 s), %,d bytes at"
            + " most (values up to the 7-day span cap)%n",
        (after - before) / n,
        SPANS_PER_REQUEST,
        n,
        typical.getEstimatedFootprintInBytes(),
        widest.getEstimatedFootprintInBytes());
  }

  /**
   * The assembly settings of the aggregator's defaults: early completion on with its 1 s settle
   * ({@code -Dbench.early-completion=off} for the behaviour before issue 20 point 5).
   */
  static AssemblyConfig assemblyConfig() {
    AssemblyConfig config = AssemblyConfig.defaults();
    return "off".equals(System.getProperty("bench.early-completion", "on"))
        ? config
        : config.withEarlyCompletion(AssemblyConfig.DEFAULT_EARLY_SETTLE);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The spans of request {@code i}, as the ingest writes them. */
  private static List<SpanEvent> request(
      SplittableRandom random, String[] classes, long base, long i) {
    byte[] trace = ByteBuffer.allocate(16).putLong(random.nextLong()).putLong(i).array();
    long start = base + i * 500;
    long gw = random.nextLong() | 1;
    long client = random.nextLong() | 1;
    long t = start + 20_000;
    List<SpanEvent> spans = new ArrayList<>(SPANS_PER_REQUEST);
    for (int r = 0; r < 2; r++) {
      spans.add(
          span(trace, gw, Role.ROLE_RETRIEVAL, t, t + 30_000, 0)
              .setRetrievalHit(random.nextInt(10) > 0)
              .build());
      t += 30_000;
    }
    for (int k = 0; k < 2; k++) {
      spans.add(span(trace, gw, Role.ROLE_TOOL, t, t + 50_000, 0).setToolName("search").build());
      t += 50_000;
    }
    spans.add(span(trace, gw, Role.ROLE_POLICY, t, t + 5_000, 0).build());
    t += 5_000;
    long model = 100_000 + random.nextLong(400_000);
    spans.add(
        span(trace, gw, Role.ROLE_MODEL, t, t + model + 300_000, t + model)
            .setOperation("chat")
            .setModelQueueMicros(model / 4)
            .setInputTokens(500)
            .setOutputTokens(200)
            .build());
    long end = t + model + 310_000;
    spans.add(
        span(trace, client, Role.ROLE_GATEWAY, start + 10_000, end, t + model + 5_000)
            .setSpanId(id(gw))
            .setKind(SpanKind.SPAN_KIND_SERVER)
            .setStreamed(true)
            .build());
    spans.add(
        span(trace, 0, Role.ROLE_CLIENT, start, end + 10_000, t + model + 15_000)
            .setSpanId(id(client))
            .setTrafficClass(classes[(int) (i % 3)])
            .setWorkflow("rag")
            .setClientPath("direct")
            .setStreamed(true)
            .build());
    return spans;
  }

  private static SpanEvent.Builder span(
      byte[] trace, long parent, Role role, long start, long end, long firstToken) {
    SpanEvent.Builder b =
        SpanEvent.newBuilder()
            .setTraceId(ByteString.copyFrom(trace))
            .setSpanId(id(start ^ role.getNumber() * 0x9E3779B97F4A7C15L))
            .setTenant("default")
            .setService("bench")
            .setRole(role)
            .setStartEpochNanos(start * 1000)
            .setEndEpochNanos(end * 1000);
    if (parent != 0) {
      b.setParentSpanId(id(parent));
    }
    if (firstToken > 0) {
      b.setFirstTokenEpochNanos(firstToken * 1000);
    }
    return b;
  }

  private static ByteString id(long v) {
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(v == 0 ? 1 : v).array());
  }

  /**
   * Kafka's ConsumerPerformance in a child JVM on the same classpath; returns records/s overall and
   * records/s of its fetch phase (without the group join).
   */
  private static double[] consumerPerfTest(String bootstrap, String topic, long records)
      throws Exception {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            "-Dlogback.configurationFile=none",
            "org.apache.kafka.tools.ConsumerPerformance",
            "--bootstrap-server",
            bootstrap,
            "--topic",
            topic,
            "--messages",
            Long.toString(records),
            "--group",
            "perf-test-" + System.nanoTime(),
            "--timeout",
            "120000");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String header = null;
    String data = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("start.time")) {
          header = line;
        } else if (header != null && data == null && !line.isBlank()) {
          data = line;
        }
      }
    }
    p.waitFor();
    if (header == null || data == null) {
      throw new IllegalStateException("ConsumerPerformance printed no result");
    }
    String[] h = header.split(",\\s*");
    String[] d = data.split(",\\s*");
    System.out.println("  " + header);
    System.out.println("  " + data);
    double overall = Double.NaN;
    double fetch = Double.NaN;
    for (int i = 0; i < h.length; i++) {
      if (h[i].trim().equals("nMsg.sec")) {
        overall = Double.parseDouble(d[i].trim());
      } else if (h[i].trim().equals("fetch.nMsg.sec")) {
        fetch = Double.parseDouble(d[i].trim());
      }
    }
    if (Double.isNaN(overall) || Double.isNaN(fetch)) {
      throw new IllegalStateException("no nMsg.sec / fetch.nMsg.sec columns in: " + header);
    }
    return new double[] {overall, fetch};
  }

  /** CPU nanoseconds per span of the aggregator's threads in the last {@link #runAggregator}. */
  private static double lastCpuNanosPerSpan;

  /**
   * Kafka's ConsumerPerformance on a thread of this JVM (its output captured); returns the CPU
   * nanoseconds its consuming thread spent per record, group join included.
   */
  private static double consumerPerfTestCpuNanos(String bootstrap, String topic, long records)
      throws Exception {
    String[] args = {
      "--bootstrap-server",
      bootstrap,
      "--topic",
      topic,
      "--messages",
      Long.toString(records),
      "--group",
      "perf-test-cpu-" + System.nanoTime(),
      "--timeout",
      "120000"
    };
    long[] cpu = new long[1];
    Thread t =
        new Thread(
            () -> {
              org.apache.kafka.tools.ConsumerPerformance.main(args);
              cpu[0] = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            },
            "perf-test");
    PrintStream original = System.out;
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      t.start();
      t.join();
    } finally {
      System.setOut(original);
    }
    return (double) cpu[0] / records;
  }

  /** CPU nanoseconds of every live thread whose name starts with {@code prefix}. */
  private static long cpuNanosOfThreads(String prefix) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        long ns = mx.getThreadCpuTime(t.getId());
        if (ns > 0) {
          sum += ns;
        }
      }
    }
    return sum;
  }

  /** The aggregator loop from offset 0 to the end; returns spans/s. */
  private static double runAggregator(
      String bootstrap, String topic, long spans, String label, CheckpointStore store)
      throws Exception {
    TrafficClasses classes = TrafficClasses.defaults();
    LoopSettings settings =
        new LoopSettings(
            topic,
            "bench-" + System.nanoTime(),
            10_000,
            2,
            Duration.ofSeconds(2),
            Duration.ofSeconds(2),
            Duration.ofMillis(100),
            assemblyConfig(),
            classes.all().stream()
                .collect(
                    Collectors.toMap(
                        TrafficClass::name, c -> c.objectives().ttftThresholdMicros())));
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    AtomicLong consumed = new AtomicLong();
    AtomicLong doneAt = new AtomicLong();
    AggregatorMetrics metrics =
        new AggregatorMetrics() {
          @Override
          public void spansConsumed(int count) {
            if (consumed.addAndGet(count) >= spans) {
              doneAt.compareAndSet(0, System.nanoTime());
            }
          }

          @Override
          public void rejected(String reason) {}

          @Override
          public void lateSpans(int count) {}

          @Override
          public void requestsCompleted(int count, int partial) {}

          @Override
          public void checkpointed(long durationNanos, int windows) {}

          @Override
          public void checkpointFailed(String reason) {
            System.out.println("  checkpoint failed: " + reason);
          }
        };
    DeadLetters none = letter -> {};
    System.gc();
    SpanConsumerLoop loop =
        new SpanConsumerLoop(
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            store,
            none,
            settings,
            Clock.systemUTC(),
            metrics);
    Thread thread = new Thread(loop, "bench-aggregator");
    long started = System.nanoTime();
    thread.start();
    int maxHistograms = 0;
    int maxInFlight = 0;
    long nextReport = started + 5_000_000_000L;
    while (doneAt.get() == 0) {
      Thread.sleep(20);
      maxHistograms = Math.max(maxHistograms, loop.liveHistograms());
      maxInFlight = Math.max(maxInFlight, loop.inFlight());
      if (System.nanoTime() > nextReport) {
        System.out.printf("  %s: %,d of %,d spans%n", label, consumed.get(), spans);
        nextReport += 5_000_000_000L;
      }
    }
    // The loop's thread and its worker ("bench-aggregator-records"), up to the last span.
    lastCpuNanosPerSpan = (double) cpuNanosOfThreads("bench-aggregator") / spans;
    double seconds = (doneAt.get() - started) / 1e9;
    double rate = spans / seconds;
    Runtime rt = Runtime.getRuntime();
    long heapMb = (rt.totalMemory() - rt.freeMemory()) / (1 << 20);
    loop.close();
    thread.join();
    System.gc();
    long heapAfterGcMb = (rt.totalMemory() - rt.freeMemory()) / (1 << 20);
    System.out.printf(
        "aggregator (%s): %,.0f spans/s (%.1f s), %,.0f ns CPU per span; heap in use at the end"
            + " %d MB (%d MB after GC); live histograms up to %d; in-flight requests up to %,d%n",
        label,
        rate,
        seconds,
        lastCpuNanosPerSpan,
        heapMb,
        heapAfterGcMb,
        maxHistograms,
        maxInFlight);
    return rate;
  }
}
