package dev.tierscope.simulator;

import dev.tierscope.sdk.TrafficClass;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a running simulation, for progress output.
 *
 * @param simulated simulated time since the start
 * @param real wall-clock time since the start
 * @param requests requests generated so far
 * @param byClass requests generated per class
 * @param inFlight requests generated but not yet complete (in simulated time)
 * @param rate the current request rate, per simulated second
 * @param multiplier the load shape's current multiplier times the rate multiplier
 * @param activeFaults faults on now
 * @param modelBusy requests holding a model slot now (0 without a capacity limit)
 * @param modelQueued requests waiting for a model slot now
 * @param advice per class, the decision the gateway follows now (empty without admission control)
 */
public record Progress(
    Duration simulated,
    Duration real,
    long requests,
    Map<TrafficClass, Long> byClass,
    int inFlight,
    double rate,
    double multiplier,
    List<FaultWindow> activeFaults,
    int modelBusy,
    int modelQueued,
    Map<TrafficClass, String> advice) {}
