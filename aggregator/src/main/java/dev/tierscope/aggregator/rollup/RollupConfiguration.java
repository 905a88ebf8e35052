package dev.tierscope.aggregator.rollup;

import dev.tierscope.aggregator.AggregatorProperties;
import dev.tierscope.boot.SpansProperties;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.store.PostgresRollups;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Runs the store's rollup job on a schedule inside the aggregator. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RollupProperties.class)
public class RollupConfiguration {

  @Bean
  RollupJob rollupJob(
      DataSource dataSource,
      RollupProperties p,
      AggregatorProperties aggregator,
      SpansProperties spans,
      MeterRegistry registry) {
    // SpansProperties has checked that the window divides one minute.
    int raw = (int) spans.window().toSeconds();
    if (p.delay().compareTo(aggregator.allowedLateness().plus(aggregator.grace())) < 0) {
      throw new IllegalStateException(
          "tierscope.rollup.delay ("
              + p.delay()
              + ") must be at least tierscope.aggregator.allowed-lateness + grace");
    }
    Rollups rollups =
        new PostgresRollups(
            dataSource,
            new Rollups.Settings(
                List.of(raw, 60, 3600, 86_400),
                p.delay(),
                Map.of(
                    raw,
                    p.rawRetention(),
                    60,
                    p.minuteRetention(),
                    3600,
                    p.hourRetention(),
                    86_400,
                    p.dayRetention()),
                60));
    return new RollupJob(rollups, p, Clock.systemUTC(), registry);
  }

  /** The schedule; a failed run is logged and retried at the next interval. */
  static final class RollupJob implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(RollupJob.class);
    private final Rollups rollups;
    private final RollupProperties properties;
    private final Clock clock;
    private final MeterRegistry registry;
    private ScheduledExecutorService executor;

    RollupJob(Rollups rollups, RollupProperties properties, Clock clock, MeterRegistry registry) {
      this.rollups = rollups;
      this.properties = properties;
      this.clock = clock;
      this.registry = registry;
    }

    void runOnce() {
      long started = System.nanoTime();
      try {
        Rollups.Result r = rollups.run(clock.instant());
        if (r.ran()) {
          registry
              .timer("tierscope.rollup.run")
              .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          r.windowsRolled()
              .forEach(
                  (res, n) ->
                      registry
                          .counter("tierscope.rollup.windows", "resolution", res + "s")
                          .increment(n));
          registry.counter("tierscope.rollup.rows.deleted").increment(r.rowsDeleted());
          registry.counter("tierscope.rollup.partitions.dropped").increment(r.partitionsDropped());
        }
      } catch (RuntimeException e) {
        registry.counter("tierscope.rollup.failed").increment();
        log.warn("rollup run failed, retrying in {}: {}", properties.interval(), e.toString());
      }
    }

    @Override
    public void start() {
      if (!properties.enabled()) {
        return;
      }
      executor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "tierscope-rollup");
                t.setDaemon(true);
                return t;
              });
      long ms = properties.interval().toMillis();
      executor.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
      if (executor != null) {
        executor.shutdownNow();
        executor = null;
      }
    }

    @Override
    public boolean isRunning() {
      return executor != null;
    }
  }
}
