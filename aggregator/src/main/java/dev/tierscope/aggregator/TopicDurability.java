package dev.tierscope.aggregator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start that the spans topic is as durable as the cluster allows: with three or more
 * brokers, replication factor 3 and {@code min.insync.replicas} 2, so that a 200 from the ingest
 * ({@code acks=all}) means two brokers hold the spans; with two brokers, both replicas. A single
 * broker is a development setup and only said so.
 */
final class TopicDurability {

  private static final Logger log = LoggerFactory.getLogger(TopicDurability.class);

  /** What the check found; {@code problems} is empty when the topic is durable enough. */
  record Verdict(int brokers, int replicationFactor, int minInsyncReplicas, List<String> problems) {

    static Verdict of(String topic, int brokers, int replicationFactor, int minInsyncReplicas) {
      List<String> problems = new ArrayList<>();
      if (brokers >= 2) {
        int wantedRf = Math.min(3, brokers);
        if (replicationFactor < wantedRf) {
          problems.add(
              topic
                  + " has replication factor "
                  + replicationFactor
                  + " on a cluster of "
                  + brokers
                  + " brokers; use "
                  + wantedRf
                  + " (tierscope.spans.replication-factor, or kafka-reassign-partitions for an"
                  + " existing topic)");
        }
        int wantedIsr = Math.min(2, wantedRf);
        if (minInsyncReplicas < wantedIsr) {
          problems.add(
              topic
                  + " has min.insync.replicas="
                  + minInsyncReplicas
                  + "; use "
                  + wantedIsr
                  + " so that an acknowledged span is on "
                  + wantedIsr
                  + " brokers (kafka-configs --alter --add-config min.insync.replicas="
                  + wantedIsr
                  + ")");
        }
      }
      return new Verdict(brokers, replicationFactor, minInsyncReplicas, List.copyOf(problems));
    }
  }

  private TopicDurability() {}

  /**
   * Reads the cluster and the topic and logs the verdict; with {@code strict}, a topic less durable
   * than the cluster allows stops start-up.
   */
  static Verdict check(Admin admin, String topic, boolean strict) {
    Verdict v;
    try {
      int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
      TopicDescription d =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      int rf = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS);
      int minIsr =
          Integer.parseInt(configs.get(r).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value());
      v = Verdict.of(topic, brokers, rf, minIsr);
    } catch (Exception e) {
      log.warn("could not check the durability of {}: {}", topic, e.toString());
      return null;
    }
    if (v.brokers() < 2) {
      log.info(
          "{}: a single broker, replication factor {}: a development setup; in production use"
              + " replication factor 3 and min.insync.replicas=2 (README, runbook)",
          topic,
          v.replicationFactor());
    } else if (v.problems().isEmpty()) {
      log.info(
          "{}: replication factor {}, min.insync.replicas={} on {} brokers",
          topic,
          v.replicationFactor(),
          v.minInsyncReplicas(),
          v.brokers());
    } else if (strict) {
      throw new IllegalStateException(
          "tierscope.aggregator.durability-check=strict: " + String.join("; ", v.problems()));
    } else {
      v.problems().forEach(p -> log.warn("durability: {}", p));
    }
    return v;
  }
}
