package dev.tierscope.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The schema's one owner: where the migrations live, and a way to apply them without Spring.
 *
 * <p>Spring Boot applications apply them through {@code spring-boot-starter-flyway} with {@code
 * spring.flyway.locations=} {@value #LOCATION}.
 */
public final class Migrations {

  /** Classpath location of the Flyway migrations. */
  public static final String LOCATION = "classpath:db/migration/tierscope";

  private Migrations() {}

  /** Applies every pending migration to the data source's default schema. */
  public static void migrate(DataSource dataSource) {
    Flyway.configure().dataSource(dataSource).locations(LOCATION).load().migrate();
  }
}
