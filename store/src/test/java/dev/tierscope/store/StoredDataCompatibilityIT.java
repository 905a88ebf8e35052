package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A database written by an earlier Tierscope migrates to the current schema and reads exactly as it
 * did: the rows that version wrote ({@code compat/<version>.sql}, captured by {@link
 * StoredDataFixture} through the store's own write path and rollup job) are loaded into a schema at
 * that version, every later migration runs, and the readers' answers (windows merged over ranges
 * through the rollups, counters per dimension, exemplars, checkpoints) equal those captured then
 * ({@code compat/<version>.answers}).
 */
class StoredDataCompatibilityIT {

  @ParameterizedTest(name = "schema version {0}")
  @ValueSource(strings = {"2"})
  void databaseWrittenByAnEarlierVersionMigratesAndReadsTheSame(String version)
      throws IOException, SQLException {
    try (MigratedSchema db = MigratedSchema.empty("compat", 2)) {
      Flyway.configure()
          .dataSource(db.dataSource)
          .locations(Migrations.LOCATION)
          .target(version)
          .load()
          .migrate();
      try (Connection c = db.dataSource.getConnection();
          Statement s = c.createStatement()) {
        for (String line : resource("v" + version + ".sql").split("\n")) {
          if (!line.isBlank() && !line.startsWith("--")) {
            s.execute(line);
          }
        }
      }

      Migrations.migrate(db.dataSource);

      Flyway flyway =
          Flyway.configure().dataSource(db.dataSource).locations(Migrations.LOCATION).load();
      assertThat(flyway.info().pending()).as("every migration ran").isEmpty();
      String expected = resource("v" + version + ".answers");
      assertThat(withoutMetricsAddedSince(StoredDataFixture.answers(db.dataSource), expected))
          .isEqualTo(expected);
    }
  }

  private static final java.util.regex.Pattern METRIC_LINE =
      java.util.regex.Pattern.compile("histogram .*\\) (\\S+) count=(\\d+) .*");

  /**
   * The answers without the lines of metrics the fixture's version did not have (e.g. the fan-out
   * histograms): those must read empty on old data, and are then left out of the comparison.
   */
  private static String withoutMetricsAddedSince(String actual, String expected) {
    java.util.Set<String> known = new java.util.HashSet<>();
    for (String line : expected.split("\n")) {
      java.util.regex.Matcher m = METRIC_LINE.matcher(line);
      if (m.matches()) {
        known.add(m.group(1));
      }
    }
    StringBuilder out = new StringBuilder();
    for (String line : actual.split("\n", -1)) {
      java.util.regex.Matcher m = METRIC_LINE.matcher(line);
      if (m.matches() && !known.contains(m.group(1))) {
        assertThat(m.group(2))
            .as("a metric added since reads empty on old data: " + line)
            .isEqualTo("0");
        continue;
      }
      out.append(line).append('\n');
    }
    return out.substring(0, out.length() - 1);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = StoredDataCompatibilityIT.class.getResourceAsStream("/compat/" + name)) {
      assertThat(in).as("fixture compat/" + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
