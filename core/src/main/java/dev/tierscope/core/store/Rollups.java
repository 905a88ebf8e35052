package dev.tierscope.core.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The store's rollup job: merges finer windows into coarser ones (10 s -> 1 min -> 1 h -> 1 d)
 * exactly and deletes windows past their retention, so that long ranges are read from few rows.
 *
 * <p>What a run guarantees, and what every implementation's {@link WindowReader} relies on: a
 * coarse window is the merge of the finer windows it covers, once every window of it has ended
 * {@link Settings#delay} ago; how far each resolution is complete only grows; a finer window
 * changed after it was rolled up (a very late request) has its coarse window recomputed on the next
 * run; a finer window is deleted only once the next resolution covers it; exemplars go with the raw
 * windows. Running twice, or from two instances, gives the same windows.
 *
 * <pre>{@code
 * Rollups rollups = new PostgresRollups(dataSource, Rollups.Settings.defaults());
 * Rollups.Result r = rollups.run(clock.instant());
 * }</pre>
 */
public interface Rollups {

  /**
   * Rolls up everything complete at {@code now}, then applies retention.
   *
   * @param now the wall-clock instant the delay and retention count from
   */
  Result run(Instant now);

  /**
   * How to roll up.
   *
   * @param levels resolutions in seconds, finest (the raw windows) first; default 10, 60, 3600, 86
   *     400
   * @param delay a window is rolled up once it ended this long ago (at least the allowed lateness
   *     plus grace and a checkpoint)
   * @param retention per resolution in seconds, how long its windows are kept at least; a finer
   *     window is only deleted once the next resolution covers it; a store may delete in units of
   *     time and keep a window up to one unit longer (PostgreSQL drops whole partitions: a day of
   *     raw windows or minutes, 30 days of hours); a resolution without an entry is kept forever
   * @param chunkWindows coarse windows rolled up per transaction (an implementation may ignore it)
   */
  record Settings(
      List<Integer> levels, Duration delay, Map<Integer, Duration> retention, int chunkWindows) {

    public Settings {
      if (levels.size() < 2) {
        throw new IllegalArgumentException("at least two resolutions are needed, was " + levels);
      }
      if (levels.get(0) <= 0) {
        throw new IllegalArgumentException("resolutions must be positive: " + levels);
      }
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay must not be negative, was " + delay);
      }
      if (chunkWindows < 1) {
        throw new IllegalArgumentException("chunkWindows must be at least 1, was " + chunkWindows);
      }
      for (int i = 1; i < levels.size(); i++) {
        if (levels.get(i) % levels.get(i - 1) != 0) {
          throw new IllegalArgumentException(
              "each resolution must be a multiple of the previous one: " + levels);
        }
      }
      levels = List.copyOf(levels);
      retention = Map.copyOf(retention);
    }

    /**
     * 10 s, 1 min, 1 h, 1 d; delay 3 min; keep 2 days of 10 s, 35 days of 1 min, 400 days of 1 h
     * and of 1 d.
     */
    public static Settings defaults() {
      return new Settings(
          List.of(10, 60, 3600, 86_400),
          Duration.ofMinutes(3),
          Map.of(
              10,
              Duration.ofDays(2),
              60,
              Duration.ofDays(35),
              3600,
              Duration.ofDays(400),
              86_400,
              Duration.ofDays(400)),
          60);
    }
  }

  /**
   * What one run did.
   *
   * @param ran false when another instance was running the job (nothing was done)
   * @param windowsRolled coarse windows (re)computed, per target resolution in seconds
   * @param rowsDeleted stored rows removed one by one by retention (one per histogram, counter and
   *     exemplar); rows that went with a whole partition are not counted here
   * @param partitionsDropped whole partitions (spans of time of one table and resolution) that
   *     retention dropped at once; 0 where the store has none
   */
  record Result(
      boolean ran, Map<Integer, Integer> windowsRolled, long rowsDeleted, int partitionsDropped) {

    /** A run that dropped no partition. */
    public Result(boolean ran, Map<Integer, Integer> windowsRolled, long rowsDeleted) {
      this(ran, windowsRolled, rowsDeleted, 0);
    }
  }
}
