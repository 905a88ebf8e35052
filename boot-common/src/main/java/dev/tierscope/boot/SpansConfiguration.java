package dev.tierscope.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Binds {@link SpansProperties} for every deployable, and stops start-up when a setting that moved
 * there is still given under its old, per-deployable name (which would otherwise be ignored
 * silently).
 */
@AutoConfiguration
@EnableConfigurationProperties(SpansProperties.class)
public class SpansConfiguration {

  /** Old property -> the one that replaced it. */
  static final Map<String, String> MOVED = new LinkedHashMap<>();

  static {
    MOVED.put("tierscope.ingest.topic", "tierscope.spans.topic");
    MOVED.put("tierscope.ingest.partitions", "tierscope.spans.partitions");
    MOVED.put("tierscope.ingest.replication-factor", "tierscope.spans.replication-factor");
    MOVED.put("tierscope.aggregator.topic", "tierscope.spans.topic");
    MOVED.put("tierscope.aggregator.dead-letter-topic", "tierscope.spans.dead-letter-topic");
    MOVED.put("tierscope.aggregator.partitions", "tierscope.spans.partitions");
    MOVED.put("tierscope.aggregator.replication-factor", "tierscope.spans.replication-factor");
    MOVED.put("tierscope.aggregator.window", "tierscope.spans.window");
    MOVED.put("tierscope.api.window", "tierscope.spans.window");
  }

  @Bean
  MovedSettings movedSpansSettings(Environment environment) {
    check(Binder.get(environment));
    return new MovedSettings();
  }

  /**
   * Fails when an old name is set (in any form Spring Boot binds: a property, an environment
   * variable such as {@code TIERSCOPE_INGEST_TOPIC}).
   *
   * @throws IllegalStateException naming the old and the new property
   */
  static void check(Binder binder) {
    for (Map.Entry<String, String> e : MOVED.entrySet()) {
      if (binder.bind(e.getKey(), String.class).isBound()) {
        throw new IllegalStateException(
            e.getKey()
                + " is no longer read: set "
                + e.getValue()
                + " instead (one setting for every deployable)");
      }
    }
  }

  /** Marks that the moved-settings check ran. */
  static final class MovedSettings {}
}
