package dev.tierscope.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The tenants with requests in the raw windows since an instant: the tenants the control leader
 * evaluates (one index range scan of {@code window_counter}).
 */
public final class PostgresRecentTenants {

  private final DataSource dataSource;
  private final int resolutionSeconds;

  /**
   * @param resolutionSeconds the raw windows' length (the aggregator's window)
   */
  public PostgresRecentTenants(DataSource dataSource, int resolutionSeconds) {
    this.dataSource = dataSource;
    this.resolutionSeconds = resolutionSeconds;
  }

  /** Tenants with a window starting at or after {@code since}, in order. */
  public List<String> since(Instant since) {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT DISTINCT tenant FROM window_counter WHERE resolution_seconds = ?"
                    + " AND window_start >= ? AND counter = 'requests' ORDER BY tenant")) {
      st.setInt(1, resolutionSeconds);
      st.setObject(2, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading the recent tenants", e);
    }
    return out;
  }
}
