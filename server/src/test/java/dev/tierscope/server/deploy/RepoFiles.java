package dev.tierscope.server.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files under test, found from the module's working directory: the repository root
 * is the nearest folder up that holds {@code docker-compose.yml} next to the parent {@code
 * pom.xml}.
 */
final class RepoFiles {

  /**
   * Strict JSON, as Grafana's parser takes it: no comments, no trailing commas, no duplicate keys.
   */
  static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private RepoFiles() {}

  static Path root() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("docker-compose.yml"))
          && Files.isRegularFile(d.resolve("pom.xml"))
          && Files.isDirectory(d.resolve("server"))) {
        return d;
      }
    }
    throw new IllegalStateException("no repository root with docker-compose.yml above " + dir);
  }

  static Path dashboards() {
    return root().resolve("dashboards");
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " as JSON: " + e.getMessage(), e);
    }
  }

  /** A YAML document as plain maps and lists (merge keys resolved, no custom tags). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(Path file) {
    try {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      Object doc = yaml.load(Files.readString(file));
      if (!(doc instanceof Map)) {
        throw new IllegalStateException(file + " is not a YAML mapping");
      }
      return (Map<String, Object>) doc;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map)) {
      throw new AssertionError(what + " is not a mapping: " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String what) {
    if (!(o instanceof List)) {
      throw new AssertionError(what + " is not a list: " + o);
    }
    return (List<Object>) o;
  }
}
