package dev.tierscope.aggregator;

import dev.tierscope.aggregator.consumer.AggregatorMetrics;
import dev.tierscope.aggregator.consumer.DeadLetters;
import dev.tierscope.aggregator.consumer.KafkaDeadLetters;
import dev.tierscope.aggregator.consumer.LoopLimits;
import dev.tierscope.aggregator.consumer.LoopSettings;
import dev.tierscope.aggregator.consumer.LoopStatus;
import dev.tierscope.aggregator.consumer.LoopSupervisor;
import dev.tierscope.aggregator.consumer.SpanConsumerLoop;
import dev.tierscope.aggregator.consumer.SupervisorStatus;
import dev.tierscope.boot.SpansProperties;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.window.WindowCaps;
import dev.tierscope.store.PostgresCheckpointStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Wires the span-consumer library from {@code tierscope.aggregator.*} and the shared {@code
 * tierscope.spans.*}: its consumer loops (each run by a {@link LoopSupervisor} that restarts it
 * with a new consumer if it stops) on Boot's Kafka factories, the PostgreSQL checkpoint store, the
 * Kafka dead letters, the Micrometer meters and the loops' health ({@link AggregatorHealth}:
 * liveness, DOWN while a loop is being restarted, and readiness). Nothing here decides anything
 * about spans.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({AggregatorProperties.class, AggregatorHealthProperties.class})
class AggregatorConfiguration {

  @Bean
  NewTopic spansTopic(SpansProperties spans) {
    return new NewTopic(spans.topic(), spans.partitions(), spans.replicationFactor());
  }

  @Bean
  NewTopic deadLetterTopic(SpansProperties spans) {
    return new NewTopic(spans.deadLetterTopic(), 1, spans.replicationFactor());
  }

  /** Checks the spans topic's durability once the context is up (after KafkaAdmin created it). */
  @Bean
  org.springframework.boot.ApplicationRunner topicDurabilityCheck(
      AggregatorProperties p,
      SpansProperties spans,
      org.springframework.kafka.core.KafkaAdmin kafkaAdmin) {
    return args -> {
      try (org.apache.kafka.clients.admin.Admin admin =
          org.apache.kafka.clients.admin.Admin.create(kafkaAdmin.getConfigurationProperties())) {
        TopicDurability.check(admin, spans.topic(), p.durabilityCheck().equals("strict"));
      }
    };
  }

  @Bean
  CheckpointStore checkpointStore(DataSource dataSource) {
    return new PostgresCheckpointStore(dataSource);
  }

  @Bean
  AggregatorMetrics aggregatorMetrics(MeterRegistry registry) {
    return new MicrometerAggregatorMetrics(registry);
  }

  @Bean
  ConsumerLoops consumerLoops(
      AggregatorProperties p,
      SpansProperties spans,
      TrafficClasses classes,
      ConsumerFactory<?, ?> consumerFactory,
      ProducerFactory<?, ?> producerFactory,
      CheckpointStore store,
      AggregatorMetrics metrics,
      MeterRegistry registry) {
    LoopSettings settings =
        new LoopSettings(
            spans.topic(),
            p.group(),
            spans.window().toMillis(),
            p.significantDigits(),
            p.checkpointInterval(),
            p.idleAdvanceAfter(),
            p.pollTimeout(),
            p.assemblyConfig(classes.fallback(), classes.rules()),
            classes.all().stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        c -> c.name(), c -> c.objectives().ttftThresholdMicros())),
            new LoopLimits(
                new SpanTimeBounds(p.maxFutureSkew(), p.maxSpanAge()),
                p.streamTimeTolerance(),
                new WindowCaps(
                    p.maxTenantsPerWindow(),
                    p.maxWorkflowsPerWindow(),
                    p.maxClientPathsPerWindow(),
                    p.maxRegionsPerWindow(),
                    p.maxModelsPerWindow(),
                    p.maxServicesPerWindow())));
    @SuppressWarnings("unchecked")
    Producer<byte[], byte[]> dlqProducer =
        (Producer<byte[], byte[]>) producerFactory.createProducer();
    DeadLetters deadLetters = new KafkaDeadLetters(dlqProducer, spans.deadLetterTopic());
    Map<String, Object> consumerProps =
        new java.util.HashMap<>(consumerFactory.getConfigurationProperties());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, p.group());
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    LoopSettings withLease = settings.withClaimLease(claimLease(consumerProps));
    Clock clock = Clock.systemUTC();
    List<LoopSupervisor<SpanConsumerLoop>> loops = new ArrayList<>();
    for (int i = 0; i < p.consumers(); i++) {
      String suffix = "-" + i;
      Map<String, Object> props = new java.util.HashMap<>(consumerProps);
      if (!p.instanceId().isBlank()) {
        // Static membership: a restarted instance takes its partitions back at once, without
        // waiting for its previous member's session to expire and without a rebalance.
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, p.instanceId() + suffix);
      }
      DefaultKafkaConsumerFactory<byte[], byte[]> consumers =
          new DefaultKafkaConsumerFactory<>(props);
      // A new consumer for every (re)start: a closed Kafka consumer cannot be reused.
      loops.add(
          new LoopSupervisor<>(
              "tierscope-aggregator-" + i,
              () ->
                  new SpanConsumerLoop(
                      consumers.createConsumer(p.group(), suffix),
                      store,
                      deadLetters,
                      withLease,
                      clock,
                      metrics),
              clock,
              p.restartBackoff(),
              p.maxRestartBackoff()));
    }
    Gauge.builder(
            "tierscope.aggregator.requests.inflight",
            loops,
            l -> sum(l, SpanConsumerLoop::inFlight))
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.requests.overflowed",
            loops,
            l -> sum(l, SpanConsumerLoop::overflowed))
        .description("requests emitted as partial because the in-flight cap was reached")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.traces.recent",
            loops,
            l -> sum(l, SpanConsumerLoop::recentlyCompleted))
        .description("recently completed traces remembered, and written into the snapshots")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.loops.restarts",
            loops,
            l -> l.stream().mapToInt(s -> s.status().restarts()).sum())
        .description("times a consumer loop stopped on its own and was started again")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.loops.down",
            loops,
            l -> l.stream().filter(s -> !s.status().alive()).count())
        .description("consumer loops not running (being restarted)")
        .register(registry);
    ConsumerLoops consumerLoops = new ConsumerLoops(loops, dlqProducer);
    Gauge.builder(
            "tierscope.aggregator.lag.records",
            consumerLoops,
            c -> c.views().stream().mapToLong(v -> v.status().lagRecords()).sum())
        .description("records behind the end of the owned partitions")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.lag.seconds",
            consumerLoops,
            c -> c.views().stream().mapToLong(v -> v.status().lagMillis()).max().orElse(0) / 1000.0)
        .description("age of the records being read on the partition furthest behind")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.checkpoint.age",
            consumerLoops,
            c -> {
              long now = System.currentTimeMillis();
              return c.views().stream()
                      .mapToLong(v -> v.status().checkpointAgeMillis(now))
                      .max()
                      .orElse(0)
                  / 1000.0;
            })
        .description("time since the oldest last successful checkpoint of the loops")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.partitions.owned",
            consumerLoops,
            c -> c.views().stream().mapToInt(v -> v.status().ownedPartitions()).sum())
        .description("partitions claimed and loaded from their checkpoint")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.reloading",
            consumerLoops,
            c -> c.views().stream().filter(v -> v.status().reloading()).count())
        .description("loops waiting to reload their partitions from the store")
        .register(registry);
    return consumerLoops;
  }

  @Bean
  AggregatorHealth aggregatorHealth(ConsumerLoops loops, AggregatorHealthProperties limits) {
    return new AggregatorHealth(loops::views, loops::isRunning, limits, Clock.systemUTC());
  }

  @Bean
  org.springframework.boot.health.contributor.HealthIndicator aggregatorLoops(
      AggregatorHealth health) {
    return health.liveness();
  }

  @Bean
  org.springframework.boot.health.contributor.HealthIndicator aggregatorPartitions(
      AggregatorHealth health) {
    return health.readiness();
  }

  /**
   * How long another owner of a partition counts as alive after its last checkpoint: the longest
   * Kafka can take to hand a silent member's partitions to someone else, {@code
   * max.poll.interval.ms} plus {@code session.timeout.ms} (Kafka's defaults when not set), and 10 s
   * to spare.
   */
  static java.time.Duration claimLease(Map<String, Object> consumerProps) {
    long maxPoll = millis(consumerProps.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), 300_000);
    long session = millis(consumerProps.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 45_000);
    return java.time.Duration.ofMillis(maxPoll + session + 10_000);
  }

  private static long millis(Object value, long otherwise) {
    return value == null ? otherwise : Long.parseLong(value.toString().trim());
  }

  private static double sum(
      List<LoopSupervisor<SpanConsumerLoop>> loops,
      java.util.function.ToLongFunction<SpanConsumerLoop> value) {
    long n = 0;
    for (LoopSupervisor<SpanConsumerLoop> s : loops) {
      SpanConsumerLoop loop = s.current();
      if (loop != null) {
        n += value.applyAsLong(loop);
      }
    }
    return n;
  }

  /** Starts the supervised loops after the context is up; stops them on shutdown. */
  static final class ConsumerLoops implements SmartLifecycle {
    private final List<LoopSupervisor<SpanConsumerLoop>> loops;
    private final Producer<byte[], byte[]> dlqProducer;
    private volatile boolean running;

    ConsumerLoops(
        List<LoopSupervisor<SpanConsumerLoop>> loops, Producer<byte[], byte[]> dlqProducer) {
      // The very list the gauges were registered on: Micrometer holds a gauge's state object
      // weakly, so a copy here would leave them reading a collected list (NaN).
      this.loops = java.util.Collections.unmodifiableList(loops);
      this.dlqProducer = dlqProducer;
    }

    List<LoopSupervisor<SpanConsumerLoop>> loops() {
      return loops;
    }

    /**
     * Each loop's last status and whether it is alive (running or starting, not waiting out a
     * restart's backoff), with its supervisor's view; any thread.
     */
    List<AggregatorHealth.LoopView> views() {
      List<AggregatorHealth.LoopView> out = new ArrayList<>(loops.size());
      long now = System.currentTimeMillis();
      for (LoopSupervisor<SpanConsumerLoop> s : loops) {
        SpanConsumerLoop loop = s.current();
        LoopStatus status =
            loop != null
                ? loop.status()
                : new LoopStatus(
                    LoopStatus.State.STARTING, false, 0, 0, false, 0, now, 0, 0, false, "", now);
        SupervisorStatus supervised = s.status();
        out.add(
            new AggregatorHealth.LoopView(
                supervised.name(), status, supervised.alive(), supervised));
      }
      return out;
    }

    @Override
    public void start() {
      loops.forEach(LoopSupervisor::start);
      running = true;
    }

    @Override
    public void stop() {
      loops.forEach(LoopSupervisor::close);
      dlqProducer.close();
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }
  }
}
