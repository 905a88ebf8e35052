package dev.tierscope.simulator;

import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.sdk.admission.AdmissionAdvisor;
import dev.tierscope.sdk.admission.Advice;

/**
 * Where the simulated gateway gets its admission advice: the closed loop reads Tierscope's signal
 * through the SDK's {@link AdmissionAdvisor} (the real HTTP stream); tests can script it.
 *
 * <p>The gateway consults it when a request arrives (refuse, or serve at a degradation level) and
 * when a request reaches the model's queue (a class deferred or shed by then is withdrawn), and
 * acts on every change at once: a class deferred gives back its queued requests, a class shed also
 * cancels its running ones.
 */
@FunctionalInterface
public interface AdmissionGate {

  /** The advice for {@code cls} now. Called from the simulation's thread. */
  Advice advise(TrafficClass cls);

  /**
   * Told the simulated time before each round of {@link #advise} calls; a scripted gate (in tests)
   * decides by it. A gate fed in real time (the advisor) ignores it.
   */
  default void observe(java.time.Instant simulatedNow) {}

  /** A gate that follows an {@link AdmissionAdvisor}. */
  static AdmissionGate of(AdmissionAdvisor advisor) {
    return cls -> advisor.advise(cls.value());
  }
}
