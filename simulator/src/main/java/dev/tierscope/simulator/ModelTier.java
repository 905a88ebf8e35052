package dev.tierscope.simulator;

import dev.tierscope.sdk.Admission;
import dev.tierscope.sdk.TrafficClass;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A model tier that serves at most {@code capacity} requests at once and queues the rest in order
 * of arrival (first in, first out, whatever their class). A request holds its slot from the start
 * of its prefill to its last token; its queue time is the wait for a slot.
 *
 * <p>Event-driven on the simulated clock: requests are submitted when the gateway admits them and
 * reach the tier at their model start; {@link #advance} processes arrivals and slot releases in
 * time order. Service times are simulated, so the tier behaves the same whatever the load of the
 * machine running it.
 *
 * <p>Not thread-safe: driven by the simulation's thread.
 */
final class ModelTier {

  /** An admitted request on its way to, or waiting in, the tier. */
  private record Admitted(RequestPlan plan, long arriveMicros, int level, Admission admission) {}

  /** A request holding a slot. */
  private record Running(Admitted a, long serviceStartMicros, SimulatedRequest request) {
    long endMicros() {
      return request.model().endMicros();
    }
  }

  private final int capacity;
  private final RequestGenerator generator;
  private final PriorityQueue<Admitted> arriving =
      new PriorityQueue<>(
          Comparator.comparingLong(Admitted::arriveMicros).thenComparingLong(a -> a.plan().index));
  private final ArrayDeque<Admitted> waiting = new ArrayDeque<>();
  private final PriorityQueue<Running> running =
      new PriorityQueue<>(
          Comparator.comparingLong(Running::endMicros).thenComparingLong(r -> r.a().plan().index));
  private long busyMicros;
  private int peakWaiting;

  ModelTier(int capacity, RequestGenerator generator) {
    if (capacity < 1) {
      throw new IllegalArgumentException("model capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.generator = generator;
  }

  /** Admits {@code plan} at degradation {@code level}; it reaches the queue at its model start. */
  void submit(RequestPlan plan, int level, Admission admission) {
    arriving.add(
        new Admitted(plan, plan.modelStartMicros + plan.faultQueueMicros, level, admission));
  }

  /** The time of the next arrival or slot release, or {@link Long#MAX_VALUE} when none. */
  long nextEventMicros() {
    long a = arriving.isEmpty() ? Long.MAX_VALUE : arriving.peek().arriveMicros();
    long r = running.isEmpty() ? Long.MAX_VALUE : running.peek().endMicros();
    return Math.min(a, r);
  }

  /**
   * Processes the next event (a slot release before an arrival at the same time), handing every
   * request whose timeline it settled to {@code out}.
   *
   * @param refuses whether a class is deferred or shed now: an arriving request of such a class is
   *     withdrawn instead of queued (recorded with {@code refusal})
   * @param refusal the admission recorded for a class refused at arrival
   */
  void processNext(
      Predicate<TrafficClass> refuses,
      java.util.function.Function<TrafficClass, Admission> refusal,
      Consumer<SimulatedRequest> out) {
    long a = arriving.isEmpty() ? Long.MAX_VALUE : arriving.peek().arriveMicros();
    long r = running.isEmpty() ? Long.MAX_VALUE : running.peek().endMicros();
    if (r == Long.MAX_VALUE && a == Long.MAX_VALUE) {
      return;
    }
    long now;
    if (r <= a) {
      now = r;
      running.poll();
    } else {
      now = a;
      Admitted next = arriving.poll();
      TrafficClass cls = next.plan().trafficClass;
      if (refuses.test(cls)) {
        out.accept(next.plan().refused(now, refusal.apply(cls)));
      } else {
        waiting.add(next);
        peakWaiting = Math.max(peakWaiting, waiting.size());
      }
    }
    dispatch(now, out);
  }

  /** Withdraws every waiting request of {@code cls} at {@code atMicros}. */
  void withdraw(
      TrafficClass cls, long atMicros, Admission admission, Consumer<SimulatedRequest> out) {
    for (Iterator<Admitted> it = waiting.iterator(); it.hasNext(); ) {
      Admitted a = it.next();
      if (a.plan().trafficClass == cls) {
        it.remove();
        out.accept(a.plan().refused(atMicros, admission));
      }
    }
  }

  /**
   * Cancels every running request of {@code cls} at {@code atMicros}: a request past its first
   * token ends there as interrupted, one still in prefill as refused. Frees their slots.
   *
   * @param replaced called with each cancelled request's former timeline, then its new one
   */
  void cancel(
      TrafficClass cls,
      long atMicros,
      Admission admission,
      java.util.function.BiConsumer<SimulatedRequest, SimulatedRequest> replaced,
      Consumer<SimulatedRequest> out) {
    List<Running> cancelled = new ArrayList<>();
    for (Iterator<Running> it = running.iterator(); it.hasNext(); ) {
      Running r = it.next();
      if (r.a().plan().trafficClass == cls && r.endMicros() > atMicros) {
        it.remove();
        cancelled.add(r);
      }
    }
    cancelled.sort(Comparator.comparingLong(r -> r.a().plan().index));
    for (Running r : cancelled) {
      RequestPlan p = r.a().plan();
      long first = r.request().model().firstTokenMicros();
      SimulatedRequest now;
      if (atMicros < first) {
        now = p.refused(atMicros, admission);
      } else {
        long tokens =
            generator.tokensWithin(p, atMicros - first, RequestPlan.factor(r.a().level()));
        now =
            p.cancelled(
                r.serviceStartMicros(),
                r.request().model().queueMicros(),
                r.a().level(),
                atMicros,
                tokens,
                admission);
      }
      busyMicros -= r.endMicros() - Math.max(atMicros, r.serviceStartMicros());
      replaced.accept(r.request(), now);
    }
    dispatch(atMicros, out);
  }

  private void dispatch(long now, Consumer<SimulatedRequest> out) {
    while (running.size() < capacity && !waiting.isEmpty()) {
      Admitted a = waiting.poll();
      RequestPlan p = a.plan();
      SimulatedRequest r = p.complete(now, now - p.modelStartMicros, a.admission(), a.level());
      running.add(new Running(a, now, r));
      busyMicros += r.model().endMicros() - now;
      out.accept(r);
    }
  }

  /** Requests waiting for a slot now. */
  int waiting() {
    return waiting.size();
  }

  /** Requests holding a slot now. */
  int running() {
    return running.size();
  }

  /** Most requests ever waiting at once. */
  int peakWaiting() {
    return peakWaiting;
  }

  /** Slot time handed out so far (microseconds), for the utilisation. */
  long busyMicros() {
    return busyMicros;
  }

  int capacity() {
    return capacity;
  }
}
