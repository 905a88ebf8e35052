package dev.tierscope.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.SmartLifecycle;

/**
 * Whether Kafka takes records for the spans topic, probed in the background (every partition has a
 * leader, asked with a short timeout), so that the ingest's readiness answers at once and says why:
 * {@code kafka} is OUT_OF_SERVICE while the broker is unreachable or a partition has no leader, and
 * when the last answer is older than three probe intervals.
 */
final class KafkaReadiness implements HealthIndicator, SmartLifecycle {

  private record Probe(boolean ok, String detail, int partitions, long atMillis) {}

  private final Map<String, Object> adminConfig;
  private final String topic;
  private final Duration interval;
  private volatile Probe last;
  private ScheduledExecutorService executor;
  private Admin admin;

  KafkaReadiness(Map<String, Object> adminConfig, String topic, Duration interval) {
    this.adminConfig = adminConfig;
    this.topic = topic;
    this.interval = interval;
    this.last = new Probe(false, "not probed yet", 0, System.currentTimeMillis());
  }

  @Override
  public Health health() {
    Probe p = last;
    long age = System.currentTimeMillis() - p.atMillis();
    Health.Builder h =
        (p.ok() && age <= 3 * interval.toMillis())
            ? Health.up()
            : Health.status(Status.OUT_OF_SERVICE);
    h.withDetail("topic", topic).withDetail("lastProbeAgeSeconds", age / 1000.0);
    if (p.ok()) {
      h.withDetail("partitions", p.partitions());
    } else {
      h.withDetail("problem", p.detail());
    }
    return h.build();
  }

  private void probe() {
    try {
      int timeoutMs = (int) Math.max(500, Math.min(interval.toMillis(), 2_000));
      TopicDescription d =
          admin
              .describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMs))
              .allTopicNames()
              .get(timeoutMs + 500L, TimeUnit.MILLISECONDS)
              .get(topic);
      long leaderless = d.partitions().stream().filter(p -> p.leader() == null).count();
      last =
          leaderless == 0
              ? new Probe(true, "", d.partitions().size(), System.currentTimeMillis())
              : new Probe(
                  false,
                  leaderless + " of " + d.partitions().size() + " partitions have no leader",
                  d.partitions().size(),
                  System.currentTimeMillis());
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      last = new Probe(false, "Kafka does not answer: " + cause, 0, System.currentTimeMillis());
    }
  }

  @Override
  public synchronized void start() {
    java.util.HashMap<String, Object> config = new java.util.HashMap<>(adminConfig);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "tierscope-ingest-readiness");
    config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    admin = Admin.create(config);
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tierscope-ingest-kafka-readiness");
              t.setDaemon(true);
              return t;
            });
    probe(); // known before the context reports itself started
    executor.scheduleWithFixedDelay(
        this::probe, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      admin.close(Duration.ofSeconds(1));
      executor = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }
}
