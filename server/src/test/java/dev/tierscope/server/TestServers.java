package dev.tierscope.server;

import dev.tierscope.embedded.PostgresEndpoint;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts the all-in-one server for a test: any free HTTP and gRPC ports, the shared test broker
 * with a topic, dead-letter topic and consumer group of its own, and a fresh schema.
 */
public final class TestServers {

  private TestServers() {}

  /**
   * @param name prefix of the temporary home directory and schema
   * @param extra further properties; they override the defaults set here
   */
  public static TierscopeServer start(String name, Map<String, String> extra) throws Exception {
    return start(name, extra, null);
  }

  /**
   * As {@link #start(String, Map)}, with {@code apiClock} as the api's clock (null: the system
   * clock).
   */
  public static TierscopeServer start(
      String name, Map<String, String> extra, java.time.Clock apiClock) throws Exception {
    String topic = TestInfra.uniqueName("spans");
    DbSchema schema = TestInfra.newSchema(name);
    Map<String, String> properties = new HashMap<>();
    properties.put("tierscope.ingest.grpc-port", "0");
    properties.put("tierscope.spans.topic", topic);
    properties.put("tierscope.spans.dead-letter-topic", topic + ".dlq");
    properties.put("tierscope.aggregator.group", TestInfra.uniqueName("aggregator"));
    properties.put("tierscope.control.kafka.topic", TestInfra.uniqueName("control"));
    properties.putAll(extra);
    return TierscopeServer.start(
        new ServerOptions(
            Files.createTempDirectory("tierscope-" + name),
            0,
            0,
            0,
            TestInfra.bootstrapServers(),
            0,
            new PostgresEndpoint(schema.jdbcUrl(), schema.user(), schema.password()),
            properties),
        apiClock);
  }
}
