package dev.tierscope.store;

import dev.tierscope.core.store.ClassTotals;
import dev.tierscope.core.store.TenantScope;
import dev.tierscope.core.store.TotalsReader;
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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/**
 * {@link TotalsReader} on PostgreSQL: reads {@code total_histogram} and {@code total_counter},
 * which {@link PostgresCheckpointStore} maintains in its checkpoint transaction. Both reads run in
 * one repeatable-read transaction, so histograms and counters come from the same commits.
 *
 * <p>Metric or counter names the code no longer knows (rows written by a newer version) are
 * skipped, not fatal: an exporter must keep answering.
 */
public final class PostgresTotalsReader implements TotalsReader {

  private final DataSource dataSource;

  public PostgresTotalsReader(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  private record Key(String tenant, String trafficClass) {}

  private static final class Acc {
    Instant since;
    final Map<Metric, Histogram> histograms = new EnumMap<>(Metric.class);
    final Map<CounterKey, Long> counters = new HashMap<>();

    void seen(Instant created) {
      if (since == null || created.isBefore(since)) {
        since = created;
      }
    }
  }

  @Override
  public List<ClassTotals> totals(TenantScope scope) {
    if (!scope.all() && scope.tenants().isEmpty()) {
      return List.of();
    }
    String where = scope.all() ? "" : " WHERE tenant = ANY (?)";
    TreeMap<Key, Acc> rows =
        new TreeMap<>(
            (a, b) -> {
              int t = a.tenant().compareTo(b.tenant());
              return t != 0 ? t : a.trafficClass().compareTo(b.trafficClass());
            });
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      int isolation = c.getTransactionIsolation();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        try (PreparedStatement st =
            c.prepareStatement(
                "SELECT tenant, traffic_class, metric, histogram, created_at FROM total_histogram"
                    + where)) {
          bindScope(c, st, scope);
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              Metric m = metric(rs.getString(3));
              Acc acc =
                  rows.computeIfAbsent(new Key(rs.getString(1), rs.getString(2)), k -> new Acc());
              acc.seen(rs.getObject(5, OffsetDateTime.class).toInstant());
              if (m != null) {
                acc.histograms.put(m, HistogramCodec.decode(rs.getBytes(4)));
              }
            }
          }
        }
        try (PreparedStatement st =
            c.prepareStatement(
                "SELECT tenant, traffic_class, counter, dimension, value, created_at"
                    + " FROM total_counter"
                    + where)) {
          bindScope(c, st, scope);
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              Counter counter = counter(rs.getString(3));
              Acc acc =
                  rows.computeIfAbsent(new Key(rs.getString(1), rs.getString(2)), k -> new Acc());
              acc.seen(rs.getObject(6, OffsetDateTime.class).toInstant());
              if (counter != null && rs.getLong(5) != 0) {
                acc.counters.put(new CounterKey(counter, rs.getString(4)), rs.getLong(5));
              }
            }
          }
        }
        c.commit();
      } finally {
        c.setAutoCommit(auto);
        c.setTransactionIsolation(isolation);
      }
    } catch (SQLException e) {
      throw new StoreException("reading class totals", e);
    }
    List<ClassTotals> out = new ArrayList<>(rows.size());
    rows.forEach(
        (k, acc) ->
            out.add(
                new ClassTotals(
                    k.tenant(), k.trafficClass(), acc.since, acc.histograms, acc.counters)));
    return out;
  }

  @Override
  public List<String> tenants(TenantScope scope) {
    if (!scope.all() && scope.tenants().isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    String where = scope.all() ? "" : " WHERE tenant = ANY (?)";
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT tenant FROM total_counter"
                    + where
                    + " UNION SELECT tenant FROM total_histogram"
                    + where
                    + " ORDER BY tenant")) {
      if (!scope.all()) {
        st.setArray(1, c.createArrayOf("text", scope.tenants().toArray()));
        st.setArray(2, c.createArrayOf("text", scope.tenants().toArray()));
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("listing tenants", e);
    }
    return out;
  }

  private static void bindScope(Connection c, PreparedStatement st, TenantScope scope)
      throws SQLException {
    if (!scope.all()) {
      st.setArray(1, c.createArrayOf("text", scope.tenants().toArray()));
    }
  }

  private static Metric metric(String id) {
    try {
      return Metric.fromId(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Counter counter(String id) {
    try {
      return Counter.fromId(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
