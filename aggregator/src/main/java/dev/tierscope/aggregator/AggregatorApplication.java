package dev.tierscope.aggregator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The aggregator as its own deployable (the all-in-one server starts it too). */
@SpringBootApplication
public class AggregatorApplication {

  /** Name of this application's configuration file ({@code tierscope-aggregator.properties}). */
  public static final String CONFIG_NAME = "tierscope-aggregator";

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(AggregatorApplication.class);
    app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
    app.run(args);
  }
}
