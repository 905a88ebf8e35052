package dev.tierscope.simulator;

import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.SimulatedRequest.ToolCall;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes what a run generated as JSON lines: the ground truth that attribution is checked against.
 * One object per line, told apart by {@code type}:
 *
 * <ul>
 *   <li>{@code run}: seed, start, configuration (first line);
 *   <li>{@code fault}: a fault switching {@code on} or {@code off}, with its tier and the SLI it is
 *       meant to move;
 *   <li>{@code request}: one request: trace id, class, workflow, client path and protocol, TTFT and
 *       its edge/mesh/model parts, queue, retrieval and tool results, tokens, outcome, and the
 *       faults active when it started;
 *   <li>{@code end}: totals (last line).
 * </ul>
 *
 * <p>Times are epoch microseconds, durations microseconds (-1 when not applicable).
 *
 * <pre>{@code
 * {"type":"request","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","startEpochMicros":1795082400123456,
 *  "class":"interactive_premium","workflow":"rag","clientPath":"vpn","connectionType":"wifi",
 *  "protocolVersion":"3","protocolFallback":false,"retransmits":0,"ttftMicros":912345,
 *  "edgeMicros":701234,"meshMicros":98765,"modelMicros":112346,"modelQueueMicros":15432, ...,
 *  "outcome":"completed","fault":"edge-vpn","faultTiers":["edge"]}
 * }</pre>
 */
public final class GroundTruthWriter implements RequestSink {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .rootValueSeparator((String) null)
          // Lines are flushed into the buffered writer one by one; the file only when asked.
          .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
          .build();

  private final Writer out;
  private final JsonGenerator json;

  /** Writes to {@code out} (closed with this writer). */
  public GroundTruthWriter(Writer out) {
    this.out = out;
    this.json = JSON.createGenerator(ObjectWriteContext.empty(), out);
  }

  /** Writes to a new file at {@code path} (replacing one that exists). */
  public static GroundTruthWriter toFile(Path path) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      BufferedWriter w = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
      return new GroundTruthWriter(w);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ground truth to " + path, e);
    }
  }

  @Override
  public void runStarted(SimulationConfig config, Instant start) {
    json.writeStartObject();
    json.writeStringProperty("type", "run");
    json.writeNumberProperty("seed", config.seed());
    json.writeNumberProperty("startEpochMicros", Simulation.epochMicros(start));
    json.writeStringProperty("start", start.toString());
    json.writeNumberProperty("requestsPerSecond", config.requestsPerSecond());
    json.writeNumberProperty("rateMultiplier", config.rateMultiplier());
    json.writeStringProperty("loadShape", config.loadShape().value());
    json.writeNumberProperty("loadPeriodMillis", config.loadPeriod().toMillis());
    json.writeNumberProperty("durationMillis", config.duration().toMillis());
    json.writeNumberProperty("speed", config.speed());
    json.writeNumberProperty("clients", config.clients());
    json.writeObjectPropertyStart("classMix");
    for (Map.Entry<TrafficClass, Double> e : config.classMix().entrySet()) {
      json.writeNumberProperty(e.getKey().value(), e.getValue());
    }
    json.writeEndObject();
    json.writeStringProperty("faults", config.faults().toString());
    if (config.idSeed() != config.seed()) {
      json.writeNumberProperty("idSeed", config.idSeed());
    }
    if (config.capacityLimited()) {
      json.writeNumberProperty("modelCapacity", config.modelCapacity());
    }
    if (config.surge() != null) {
      json.writeStringProperty("surge", config.surge().toString());
    }
    json.writeEndObject();
    endLine();
  }

  @Override
  public void adviceChanged(AdviceChange change) {
    json.writeStartObject();
    json.writeStringProperty("type", "advice");
    json.writeStringProperty("class", change.trafficClass().value());
    json.writeStringProperty("from", change.from());
    json.writeStringProperty("to", change.to());
    json.writeNumberProperty("atEpochMicros", Simulation.epochMicros(change.at()));
    json.writeStringProperty("at", change.at().toString());
    json.writeEndObject();
    endLine();
  }

  @Override
  public void faultStarted(FaultWindow fault, Instant at) {
    fault(fault, at, "on");
  }

  @Override
  public void faultEnded(FaultWindow fault, Instant at) {
    fault(fault, at, "off");
  }

  private void fault(FaultWindow fault, Instant at, String state) {
    json.writeStartObject();
    json.writeStringProperty("type", "fault");
    json.writeStringProperty("state", state);
    json.writeStringProperty("fault", fault.kind().value());
    json.writeStringProperty("tier", fault.kind().tier().value());
    json.writeStringProperty("sli", fault.kind().sli());
    json.writeNumberProperty("intensity", fault.intensity());
    json.writeNumberProperty("atEpochMicros", Simulation.epochMicros(at));
    json.writeStringProperty("at", at.toString());
    json.writeEndObject();
    endLine();
  }

  @Override
  public void request(SimulatedRequest r) {
    json.writeStartObject();
    json.writeStringProperty("type", "request");
    json.writeStringProperty("traceId", r.traceId());
    json.writeNumberProperty("index", r.index());
    json.writeNumberProperty("startEpochMicros", r.clientStartMicros());
    json.writeNumberProperty("endEpochMicros", r.clientEndMicros());
    json.writeStringProperty("class", r.trafficClass().value());
    json.writeStringProperty("workflow", r.workflow().value());
    json.writeNumberProperty("clientId", r.client().id());
    json.writeStringProperty("clientPath", r.client().path().value());
    json.writeStringProperty("connectionType", r.client().connection().value());
    json.writeStringProperty("protocolVersion", r.protocolVersion());
    json.writeBooleanProperty("protocolFallback", r.protocolFallback());
    json.writeNumberProperty("retransmits", r.retransmits());
    json.writeNumberProperty("ttftMicros", r.ttftMicros());
    json.writeNumberProperty("gatewayTtftMicros", r.gatewayTtftMicros());
    json.writeNumberProperty("edgeMicros", r.edgeMicros());
    json.writeNumberProperty("meshMicros", r.meshMicros());
    json.writeNumberProperty("modelMicros", r.modelMicros());
    json.writeNumberProperty("modelQueueMicros", r.refused() ? -1 : r.model().queueMicros());
    json.writeNumberProperty("policyMicros", r.policy() == null ? -1 : r.policy().durationMicros());
    json.writeNumberProperty(
        "retrievalMicros", r.retrieval() == null ? -1 : r.retrieval().durationMicros());
    if (r.retrieval() != null) {
      json.writeBooleanProperty("retrievalHit", r.retrieval().hit());
      json.writeBooleanProperty("retrievalFallback", r.retrieval().fallback());
      json.writeStringProperty("retrievalService", r.retrieval().backend().service());
      json.writeStringProperty("retrievalRegion", r.retrieval().backend().region());
    }
    json.writeNumberProperty("toolCalls", r.tools().size());
    json.writeNumberProperty("toolchainMicros", r.toolchainMicros());
    json.writeBooleanProperty("toolchainFailed", r.toolchainFailed());
    if (!r.tools().isEmpty()) {
      json.writeArrayPropertyStart("tools");
      for (ToolCall t : r.tools()) {
        json.writeString(t.failed() ? t.name() + ":timeout" : t.name());
      }
      json.writeEndArray();
    }
    json.writeStringProperty("model", r.refused() ? "" : r.model().model());
    if (!r.refused()) {
      json.writeStringProperty("modelService", r.model().backend().service());
      json.writeStringProperty("modelRegion", r.model().backend().region());
    }
    json.writeNumberProperty("inputTokens", r.refused() ? 0 : r.model().inputTokens());
    json.writeNumberProperty("outputTokens", r.refused() ? 0 : r.model().outputTokens());
    json.writeStringProperty("outcome", r.refused() ? "refused" : r.outcome().streamOutcome());
    if (r.maxGapMicros() >= 0) {
      json.writeNumberProperty("maxGapMicros", r.maxGapMicros());
      json.writeNumberProperty("stalls", r.stalls());
    }
    if (r.interruptionCause() != null) {
      json.writeStringProperty("interruptionCause", r.interruptionCause().value());
    }
    if (r.cutAfterMicros() >= 0) {
      json.writeNumberProperty("cutAfterMicros", r.cutAfterMicros());
    }
    if (r.admission() != null) {
      json.writeStringProperty("admission", r.admission().value());
      json.writeNumberProperty("degradation", r.degradationLevel());
    }
    json.writeStringProperty("fault", r.faultLabel());
    json.writeArrayPropertyStart("faultTiers");
    r.faults().stream().map(f -> f.kind().tier().value()).distinct().forEach(json::writeString);
    json.writeEndArray();
    json.writeEndObject();
    endLine();
  }

  @Override
  public void runEnded(SimulationResult result) {
    json.writeStartObject();
    json.writeStringProperty("type", "end");
    json.writeNumberProperty("requests", result.requests());
    json.writeNumberProperty("simulatedMillis", result.simulated().toMillis());
    json.writeBooleanProperty("stopped", result.stopped());
    json.writeObjectPropertyStart("byClass");
    for (Map.Entry<TrafficClass, Long> e : result.byClass().entrySet()) {
      json.writeNumberProperty(e.getKey().value(), e.getValue());
    }
    json.writeEndObject();
    json.writeObjectPropertyStart("byFault");
    for (Map.Entry<String, Long> e : result.byFault().entrySet()) {
      json.writeNumberProperty(e.getKey(), e.getValue());
    }
    json.writeEndObject();
    json.writeEndObject();
    endLine();
  }

  private void endLine() {
    json.flush(); // into the Writer's buffer, so the newline lands after the object
    try {
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ground truth", e);
    }
  }

  @Override
  public void flush() {
    try {
      json.flush();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ground truth", e);
    }
  }

  @Override
  public void close() {
    json.close(); // closes the Writer too
  }
}
