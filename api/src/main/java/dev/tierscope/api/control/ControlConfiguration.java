package dev.tierscope.api.control;

import dev.tierscope.api.alerting.AlertingProperties;
import dev.tierscope.boot.SpansProperties;
import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.control.ControlConfig;
import dev.tierscope.core.control.ControlInputsReader;
import dev.tierscope.core.control.ControlPolicy;
import dev.tierscope.core.control.ControlRound;
import dev.tierscope.core.control.ControlStore;
import dev.tierscope.core.control.SignalPublisher;
import dev.tierscope.core.control.Transition;
import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.core.leader.LeaderLoop;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.store.PostgresControlStore;
import dev.tierscope.store.PostgresRecentTenants;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ProducerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Admission control: the policy (core's {@link ControlPolicy}) evaluated every {@code interval} by
 * whichever api instance holds the PostgreSQL leader lock of the role {@value #ROLE}, its state and
 * signals in PostgreSQL, the signals served by every instance ({@code GET /api/v1/control} and its
 * stream) and published by the leader to the compacted topic {@code tierscope.control.v1}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ControlProperties.class)
public class ControlConfiguration {

  /** The leader role of admission control. */
  public static final String ROLE = "control";

  private static final Logger log = LoggerFactory.getLogger(ControlConfiguration.class);

  /**
   * Numbers the control producers of this JVM (client ids must differ, e.g. two apis in a test).
   */
  private static final AtomicInteger PRODUCERS = new AtomicInteger();

  @Bean
  ControlConfig controlConfig(ControlProperties properties, TrafficClasses classes) {
    return properties.toConfig(classes);
  }

  @Bean
  ControlPolicy controlPolicy(ControlConfig config, TrafficClasses classes, Clock clock) {
    return new ControlPolicy(config, classes, clock);
  }

  @Bean
  ControlStore controlStore(DataSource dataSource) {
    return new PostgresControlStore(dataSource);
  }

  @Bean
  ClassOrder classOrder(TrafficClasses classes) {
    return new ClassOrder(classes);
  }

  @Bean
  SignalStream signalStream(
      ControlStore store,
      JsonMapper json,
      Clock clock,
      ControlProperties properties,
      ClassOrder order,
      MeterRegistry registry) {
    SignalStream stream =
        new SignalStream(
            store, json, clock, properties.stream().poll(), properties.stream().heartbeat(), order);
    Gauge.builder("tierscope.api.control.listeners", stream, SignalStream::listeners)
        .description("clients of /api/v1/control/stream connected to this instance")
        .register(registry);
    return stream;
  }

  /** Whether the leader publishes to Kafka: enabled and a broker configured. */
  static final String PUBLISH =
      "'${tierscope.control.kafka.enabled:true}' == 'true'"
          + " and '${spring.kafka.bootstrap-servers:}' != ''";

  @Bean
  @ConditionalOnExpression(PUBLISH)
  NewTopic controlTopic(ControlProperties properties) {
    // compacted: a consumer reading from the start gets every (tenant, class)'s latest signal
    return TopicBuilder.name(properties.kafka().topic())
        .partitions(properties.kafka().partitions())
        .replicas(properties.kafka().replicationFactor())
        .compact()
        .config(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1")
        .config(TopicConfig.SEGMENT_MS_CONFIG, "600000")
        .build();
  }

  @Bean
  ControlLoop controlLoop(
      ControlProperties properties,
      ControlConfig config,
      ControlPolicy policy,
      TrafficClasses classes,
      WindowReader windows,
      AttributionCalculator attribution,
      SpansProperties spans,
      ControlStore store,
      DataSource dataSource,
      LeaderElection election,
      ProducerFactory<?, ?> producerFactory,
      JsonMapper json,
      MeterRegistry registry,
      Clock clock,
      Environment environment,
      AlertingProperties alerting) {
    ControlInputsReader inputs =
        new ControlInputsReader(windows, attribution, classes, config, spans.window());
    PostgresRecentTenants tenants =
        new PostgresRecentTenants(dataSource, (int) spans.window().toSeconds());
    List<SignalPublisher> publishers = new ArrayList<>();
    if (properties.webhooks().enabled() && !alerting.webhooks().isEmpty()) {
      // first: they never throw, and a failed Kafka publish must not hold back a webhook
      publishers.add(
          new WebhookSignalPublisher(
              alerting.webhooks(),
              json,
              clock,
              (host, ok) ->
                  Counter.builder("tierscope.api.control.webhooks")
                      .description("decision changes delivered to webhooks, by outcome")
                      .tag("outcome", ok ? "ok" : "failed")
                      .register(registry)
                      .increment()));
      log.info(
          "admission control: decision changes to {} webhooks (tierscope.api.alerting.webhooks)",
          alerting.webhooks().size());
    }
    KafkaSignalPublisher kafka = null;
    String brokers = environment.getProperty("spring.kafka.bootstrap-servers", "");
    if (properties.kafka().enabled() && !brokers.isBlank()) {
      Map<String, Object> producerProps =
          new HashMap<>(producerFactory.getConfigurationProperties());
      producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
      producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      long timeout = properties.kafka().sendTimeout().toMillis();
      producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
      producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout);
      producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout * 2);
      producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      producerProps.put(
          ProducerConfig.CLIENT_ID_CONFIG, "tierscope-control-" + PRODUCERS.incrementAndGet());
      kafka =
          new KafkaSignalPublisher(
              // A plain KafkaProducer, not one of Spring's factory: the factory's producer is a
              // shared one whose close() does not close it, so it lived on (and kept reconnecting
              // to a stopped broker) after the api stopped.
              () -> new KafkaProducer<String, String>(producerProps),
              properties.kafka().topic(),
              json,
              properties.kafka().sendTimeout());
      publishers.add(kafka);
    }
    SignalPublisher publisher =
        signals -> {
          for (SignalPublisher p : publishers) {
            p.publish(signals);
          }
        };
    ControlRound round =
        new ControlRound(
            policy,
            inputs,
            store,
            publisher,
            () -> tenants.since(clock.instant().minus(config.baselineWindow())),
            clock,
            properties.republish());
    return new ControlLoop(properties, election, round, kafka, registry);
  }

  /** Starts and stops the leader loop with the application context. */
  static final class ControlLoop implements SmartLifecycle {

    private final ControlProperties properties;
    private final LeaderElection election;
    private final ControlRound round;
    private final KafkaSignalPublisher kafka;
    private final MeterRegistry registry;
    private final AtomicInteger leading = new AtomicInteger();
    private LeaderLoop loop;

    ControlLoop(
        ControlProperties properties,
        LeaderElection election,
        ControlRound round,
        KafkaSignalPublisher kafka,
        MeterRegistry registry) {
      this.properties = properties;
      this.election = election;
      this.round = round;
      this.kafka = kafka;
      this.registry = registry;
      Gauge.builder("tierscope.api.control.leader", leading, AtomicInteger::get)
          .description("1 while this instance leads admission control")
          .register(registry);
    }

    @Override
    public synchronized void start() {
      if (!properties.enabled()) {
        log.info(
            "admission control off here (tierscope.control.enabled=false); signals still served");
        return;
      }
      loop =
          new LeaderLoop(
                  election,
                  ROLE,
                  properties.interval(),
                  this::run,
                  new LeaderLoop.Listener() {
                    @Override
                    public void notLeading(String role) {
                      leading.set(0);
                      rounds("not_leading");
                    }

                    @Override
                    public void ran(Lease lease) {
                      leading.set(1);
                      rounds("led");
                    }

                    @Override
                    public void failed(String role, Exception e) {
                      rounds("failed");
                      log.warn("admission control round failed: {}", e.toString());
                    }
                  })
              .start();
      log.info(
          "admission control on: a round every {} in the leader of '{}'{}",
          properties.interval(),
          ROLE,
          kafka == null ? "" : ", signals to " + properties.kafka().topic());
    }

    private void run(Lease lease) {
      leading.set(1); // from the lease on, before the round's signals are visible to anyone
      ControlRound.Result r = round.run(lease);
      for (Transition t : r.transitions()) {
        log.info(
            "control {} {}: {} -> {} ({})",
            t.tenant(),
            t.trafficClass(),
            t.from(),
            t.to(),
            t.reason());
        Counter.builder("tierscope.api.control.transitions")
            .description("changes of a class's admission or degradation signal, by new decision")
            .tag("class", t.trafficClass())
            .tag("to", t.to().startsWith("degrade") ? "degrade" : t.to())
            .register(registry)
            .increment();
      }
      if (r.published() > 0) {
        Counter.builder("tierscope.api.control.published")
            .description("signals published to the control topic")
            .register(registry)
            .increment(r.published());
      }
    }

    private void rounds(String outcome) {
      Counter.builder("tierscope.api.control.rounds")
          .description("admission control ticks, by outcome: led, not_leading, failed")
          .tag("outcome", outcome)
          .register(registry)
          .increment();
    }

    @Override
    public synchronized void stop() {
      if (loop != null) {
        loop.close();
        loop = null;
      }
      if (kafka != null) {
        kafka.close();
      }
      leading.set(0);
    }

    @Override
    public synchronized boolean isRunning() {
      return loop != null;
    }
  }
}
