package dev.tierscope.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The provisioned Grafana content as the tests see it: data sources and dashboard providers from
 * {@code dashboards/provisioning}, the dashboards, their panels, queries and template variables,
 * and Grafana's variable interpolation ({@code ${name}}, {@code ${name:format}}, {@code $name},
 * {@code [[name]]}).
 */
final class Grafana {

  /** The Infinity plugin's data source type. */
  static final String INFINITY = "yesoreyeram-infinity-datasource";

  /** Grafana's global variables the dashboards may use without defining them. */
  static final Set<String> BUILT_IN =
      Set.of(
          "__from",
          "__to",
          "__interval",
          "__interval_ms",
          "__range",
          "__range_s",
          "__range_ms",
          "__rate_interval",
          "__all",
          "__dashboard",
          "__org",
          "__user",
          "__timezone");

  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$\\{([A-Za-z0-9_]+)(?::[A-Za-z0-9_]+)?}|\\$([A-Za-z_][A-Za-z0-9_]*)|\\[\\[([A-Za-z0-9_]+)(?::[A-Za-z0-9_]+)?]]");

  private Grafana() {}

  /** A provisioned data source. */
  record Datasource(String name, String uid, String type, String url) {}

  /** One dashboard file. */
  record Dashboard(Path file, JsonNode json) {

    String uid() {
      return json.path("uid").asText();
    }

    String name() {
      return file.getFileName().toString();
    }

    /** Every panel, those inside collapsed rows included, rows themselves included. */
    List<JsonNode> panels() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode p : json.path("panels")) {
        out.add(p);
        for (JsonNode inner : p.path("panels")) {
          out.add(inner);
        }
      }
      return out;
    }

    /** Panels that show data (not rows). */
    List<JsonNode> dataPanels() {
      return panels().stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
    }

    Map<String, JsonNode> variables() {
      Map<String, JsonNode> out = new LinkedHashMap<>();
      for (JsonNode v : json.path("templating").path("list")) {
        out.put(v.path("name").asText(), v);
      }
      return out;
    }
  }

  /** One query of one panel. */
  record Query(Dashboard dashboard, JsonNode panel, JsonNode target) {

    String where() {
      return dashboard.name()
          + " panel "
          + panel.path("id").asInt()
          + " '"
          + panel.path("title").asText()
          + "' query "
          + target.path("refId").asText();
    }

    String url() {
      return target.path("url").asText();
    }

    String rootSelector() {
      return target.path("root_selector").asText();
    }

    List<JsonNode> columns() {
      List<JsonNode> out = new ArrayList<>();
      target.path("columns").forEach(out::add);
      return out;
    }
  }

  static List<Dashboard> dashboards() {
    try (Stream<Path> files = Files.list(RepoFiles.dashboards())) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".json"))
          .sorted()
          .map(f -> new Dashboard(f, RepoFiles.json(f)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Query> queries(Dashboard d) {
    List<Query> out = new ArrayList<>();
    for (JsonNode p : d.dataPanels()) {
      for (JsonNode t : p.path("targets")) {
        out.add(new Query(d, p, t));
      }
    }
    return out;
  }

  /** Data sources of every file under {@code dashboards/provisioning/datasources}, by uid. */
  static Map<String, Datasource> datasources() {
    Map<String, Datasource> out = new LinkedHashMap<>();
    for (Path f : yamlFiles("datasources")) {
      for (Object o : RepoFiles.list(RepoFiles.yaml(f).get("datasources"), f + ": datasources")) {
        Map<String, Object> ds = RepoFiles.map(o, f + ": data source");
        Datasource d =
            new Datasource(
                (String) ds.get("name"),
                (String) ds.get("uid"),
                (String) ds.get("type"),
                (String) ds.get("url"));
        if (out.put(d.uid(), d) != null) {
          throw new AssertionError("data source uid " + d.uid() + " is provisioned twice");
        }
      }
    }
    return out;
  }

  /** Dashboard providers of every file under {@code dashboards/provisioning/dashboards}. */
  static List<Map<String, Object>> providers() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Path f : yamlFiles("dashboards")) {
      for (Object o : RepoFiles.list(RepoFiles.yaml(f).get("providers"), f + ": providers")) {
        out.add(RepoFiles.map(o, f + ": provider"));
      }
    }
    return out;
  }

  static List<Path> yamlFiles(String kind) {
    Path dir = RepoFiles.dashboards().resolve("provisioning").resolve(kind);
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The names of the variables a text refers to. */
  static Set<String> references(String text) {
    Set<String> out = new java.util.LinkedHashSet<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      for (int g = 1; g <= 3; g++) {
        if (m.group(g) != null) {
          out.add(m.group(g));
        }
      }
    }
    return out;
  }

  /**
   * Replaces variables as Grafana does for a single-valued variable (its raw value in every
   * format); a variable without a value fails, so that nothing reaches the API half-interpolated.
   */
  static String interpolate(String text, Map<String, String> values) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.get(name);
      if (value == null) {
        throw new AssertionError("no value for variable '" + name + "' in: " + text);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Every string in a JSON tree, for reference checks. */
  static void strings(JsonNode node, List<String> out) {
    if (node.isTextual()) {
      out.add(node.asText());
    }
    node.forEach(child -> strings(child, out));
  }
}
