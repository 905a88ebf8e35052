package dev.tierscope.api;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The read-only REST API as its own deployable (the all-in-one server starts it too). */
@SpringBootApplication
public class ApiApplication {

  /** Name of this application's configuration file ({@code tierscope-api.properties}). */
  public static final String CONFIG_NAME = "tierscope-api";

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(ApiApplication.class);
    app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
    app.run(args);
  }
}
