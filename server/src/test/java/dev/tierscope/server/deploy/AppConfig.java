package dev.tierscope.server.deploy;

import dev.tierscope.aggregator.AggregatorApplication;
import dev.tierscope.api.ApiApplication;
import dev.tierscope.ingest.IngestApplication;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;

/**
 * What a Tierscope deployable reads, derived from the application itself: its {@code
 * tierscope-<app>.properties}, and the {@code @ConfigurationProperties} records of its packages and
 * of boot-common ({@code tierscope.classes.*}). Environment variables are matched to properties by
 * Spring Boot's own binder over a {@code systemEnvironment} property source, i.e. by exactly the
 * relaxed-binding rules the application applies at start-up.
 */
enum AppConfig {
  INGEST("ingest", IngestApplication.class, IngestApplication.CONFIG_NAME),
  AGGREGATOR("aggregator", AggregatorApplication.class, AggregatorApplication.CONFIG_NAME),
  API("api", ApiApplication.class, ApiApplication.CONFIG_NAME);

  /** Read by the JVM itself, not by Spring: allowed on every Java service. */
  static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

  /**
   * Spring Boot's own namespaces: a key of the application's properties file under one of them is a
   * property the application reads (the file sets it), so the environment may override it.
   */
  private static final List<String> SPRING_NAMESPACES =
      List.of("spring.", "server.", "management.", "logging.");

  private static final String SHARED_PACKAGE = "dev.tierscope.boot";

  /** The launcher's command ({@code tierscope.jar}, also {@code tierscope-server.jar}) for it. */
  final String command;

  final Class<?> application;
  final String configName;

  AppConfig(String command, Class<?> application, String configName) {
    this.command = command;
    this.application = application;
    this.configName = configName;
  }

  static AppConfig forCommand(String command) {
    for (AppConfig a : values()) {
      if (a.command.equals(command)) {
        return a;
      }
    }
    throw new AssertionError(
        "'" + command + "' is not a deployable of the launcher (ingest, aggregator, api)");
  }

  /** The application's properties file, as packaged. */
  Properties file() {
    Properties p = new Properties();
    try (InputStream in =
        application.getClassLoader().getResourceAsStream(configName + ".properties")) {
      if (in == null) {
        throw new AssertionError(configName + ".properties is not on the class path");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** Its {@code @ConfigurationProperties} types, by prefix. */
  Map<String, Class<?>> propertiesTypes() {
    ClassPathScanningCandidateComponentProvider scanner =
        new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
    Map<String, Class<?>> out = new LinkedHashMap<>();
    for (String pkg : List.of(application.getPackageName(), SHARED_PACKAGE)) {
      for (BeanDefinition bd : scanner.findCandidateComponents(pkg)) {
        try {
          Class<?> type = Class.forName(bd.getBeanClassName());
          ConfigurationProperties a = type.getAnnotation(ConfigurationProperties.class);
          String prefix = a.prefix().isEmpty() ? a.value() : a.prefix();
          out.put(prefix, type);
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  /**
   * The variables of {@code env} the application reads: those Spring binds into one of its {@code
   * ConfigurationProperties} types (which also validates the values: a bad one fails here as it
   * would fail start-up), and those that override a Spring property its properties file sets.
   */
  Set<String> variablesRead(Map<String, String> env) {
    SystemEnvironmentPropertySource source = environment(env);
    Iterable<ConfigurationPropertySource> sources = ConfigurationPropertySources.from(source);
    Set<String> read = new LinkedHashSet<>();
    Binder binder = new Binder(sources, null, ApplicationConversionService.getSharedInstance());
    AbstractBindHandler recorder =
        new AbstractBindHandler() {
          @Override
          public Object onSuccess(
              ConfigurationPropertyName name,
              Bindable<?> target,
              BindContext context,
              Object result) {
            record(context.getConfigurationProperty(), read);
            return super.onSuccess(name, target, context, result);
          }
        };
    propertiesTypes().forEach((prefix, type) -> binder.bind(prefix, Bindable.of(type), recorder));
    ConfigurationPropertySource env0 = sources.iterator().next();
    for (String key : file().stringPropertyNames()) {
      if (SPRING_NAMESPACES.stream().anyMatch(key::startsWith)
          && ConfigurationPropertyName.isValid(key)) {
        record(env0.getConfigurationProperty(ConfigurationPropertyName.of(key)), read);
      }
    }
    return read;
  }

  /** A binder over the environment, then the application's properties file (Spring's order). */
  Binder binder(Map<String, String> env) {
    Map<String, Object> file = new HashMap<>();
    file().forEach((k, v) -> file.put((String) k, v));
    List<ConfigurationPropertySource> sources = new ArrayList<>();
    ConfigurationPropertySources.from(environment(env)).forEach(sources::add);
    ConfigurationPropertySources.from(new MapPropertySource(configName, file))
        .forEach(sources::add);
    return new Binder(sources, null, ApplicationConversionService.getSharedInstance());
  }

  /** The port its web server listens on ({@code server.port}). */
  int serverPort(Map<String, String> env) {
    return binder(env).bind("server.port", Integer.class).orElse(8080);
  }

  private static SystemEnvironmentPropertySource environment(Map<String, String> env) {
    return new SystemEnvironmentPropertySource(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new HashMap<String, Object>(env));
  }

  private static void record(ConfigurationProperty property, Set<String> read) {
    if (property != null && property.getOrigin() instanceof PropertySourceOrigin o) {
      read.add(o.getPropertyName());
    }
  }
}
