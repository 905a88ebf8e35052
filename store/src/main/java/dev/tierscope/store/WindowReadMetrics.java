package dev.tierscope.store;

/**
 * What {@link PostgresWindowReader} reports about its reads; Micrometer sits behind it at the edge.
 */
public interface WindowReadMetrics {

  WindowReadMetrics NONE = (resolutionSeconds, rows) -> {};

  /**
   * Rows read for one query.
   *
   * @param resolutionSeconds the stored resolution the rows had (10 raw, 60, 3600 rollups)
   * @param rows how many histogram or counter rows
   */
  void rowsRead(int resolutionSeconds, long rows);
}
