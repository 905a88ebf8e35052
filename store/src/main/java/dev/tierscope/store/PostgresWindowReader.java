package dev.tierscope.store;

import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.HistogramCodec;
import dev.tierscope.core.window.Metric;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/** {@link WindowReader} on PostgreSQL: merges the stored histograms of a range exactly. */
public final class PostgresWindowReader implements WindowReader {

  private final DataSource dataSource;
  private final int resolutionSeconds;

  /**
   * @param resolutionSeconds the window resolution to read (10 for the raw windows)
   */
  public PostgresWindowReader(DataSource dataSource, int resolutionSeconds) {
    this.dataSource = dataSource;
    this.resolutionSeconds = resolutionSeconds;
  }

  @Override
  public Map<Metric, Histogram> merged(
      String tenant, String trafficClass, Set<Metric> metrics, Instant from, Instant to) {
    Map<Metric, Histogram> out = new EnumMap<>(Metric.class);
    for (Metric m : metrics) {
      Histogram empty = new Histogram(2);
      out.put(m, empty);
    }
    if (metrics.isEmpty()) {
      return out;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT metric, histogram FROM window_histogram WHERE tenant = ?"
                    + " AND traffic_class = ? AND metric = ANY (?) AND resolution_seconds = ?"
                    + " AND window_start >= ? AND window_start < ?")) {
      st.setString(1, tenant);
      st.setString(2, trafficClass);
      st.setArray(3, c.createArrayOf("text", metrics.stream().map(Metric::id).toArray()));
      st.setInt(4, resolutionSeconds);
      st.setObject(5, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
      st.setObject(6, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.get(Metric.fromId(rs.getString(1))).add(HistogramCodec.decode(rs.getBytes(2)));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading " + metrics + " histograms", e);
    }
    return out;
  }

  @Override
  public Map<CounterKey, Long> counters(
      String tenant, String trafficClass, Instant from, Instant to) {
    Map<CounterKey, Long> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT counter, dimension, sum(value) FROM window_counter WHERE tenant = ?"
                    + " AND traffic_class = ? AND resolution_seconds = ? AND window_start >= ?"
                    + " AND window_start < ? GROUP BY counter, dimension")) {
      st.setString(1, tenant);
      st.setString(2, trafficClass);
      st.setInt(3, resolutionSeconds);
      st.setObject(4, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
      st.setObject(5, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.put(new CounterKey(Counter.fromId(rs.getString(1)), rs.getString(2)), rs.getLong(3));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading counters", e);
    }
    return out;
  }
}
