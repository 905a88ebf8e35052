package dev.tierscope.ingest;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The OTLP ingest as its own deployable (the all-in-one server starts it too). */
@SpringBootApplication
public class IngestApplication {

  /** Name of this application's configuration file ({@code tierscope-ingest.properties}). */
  public static final String CONFIG_NAME = "tierscope-ingest";

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(IngestApplication.class);
    app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
    app.run(args);
  }
}
