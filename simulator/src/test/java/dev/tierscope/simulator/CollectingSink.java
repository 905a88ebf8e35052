package dev.tierscope.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Keeps everything a simulation delivers, in order. */
final class CollectingSink implements RequestSink {

  /** A fault switch as delivered. */
  record Switch(FaultWindow fault, Instant at, boolean on) {}

  final List<SimulatedRequest> requests = new ArrayList<>();
  final List<AdviceChange> advice = new ArrayList<>();
  final List<Switch> switches = new ArrayList<>();

  /** Requests and switches in delivery order (SimulatedRequest or Switch). */
  final List<Object> events = new ArrayList<>();

  @Override
  public void request(SimulatedRequest request) {
    requests.add(request);
    events.add(request);
  }

  @Override
  public void adviceChanged(AdviceChange change) {
    advice.add(change);
  }

  @Override
  public void faultStarted(FaultWindow fault, Instant at) {
    Switch s = new Switch(fault, at, true);
    switches.add(s);
    events.add(s);
  }

  @Override
  public void faultEnded(FaultWindow fault, Instant at) {
    Switch s = new Switch(fault, at, false);
    switches.add(s);
    events.add(s);
  }
}
