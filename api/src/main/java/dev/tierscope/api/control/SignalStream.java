package dev.tierscope.api.control;

import dev.tierscope.core.control.ControlSignal;
import dev.tierscope.core.control.ControlStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server side of {@code GET /api/v1/control/stream}: every instance reads the stored signals
 * every {@code poll} while someone listens, and sends each listener of a tenant the signals whose
 * decision changed at once, and all of them every {@code heartbeat} (which refreshes their expiry).
 * A new listener gets every current signal of its tenant first, after a comment line that opens the
 * response at once; every {@code heartbeat} each listener also gets a comment line.
 *
 * <p>Why the comments: without them a listener of a tenant that has no signal yet (no traffic, or
 * before the leader's first round) got no byte at all, not even the response's status and headers,
 * so a client could not tell a connected stream from a hung server, and a listener that went away
 * was never noticed (nothing was written to it). Clients ignore comment lines (server-sent events).
 *
 * <p>Why every instance reads the store rather than the leader pushing: gateways may be connected
 * to any instance, and the leader may change at any round; the store is the one place that knows.
 */
final class SignalStream implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(SignalStream.class);

  private final ControlStore store;
  private final JsonMapper json;
  private final Clock clock;
  private final Duration poll;
  private final Duration heartbeat;
  private final Function<List<ControlSignal>, List<ControlSignal>> order;
  private final Map<String, List<SseEmitter>> listeners = new ConcurrentHashMap<>();
  private final Map<String, ControlSignal> lastSent = new HashMap<>();
  private Instant lastHeartbeat = Instant.MIN;
  private ScheduledExecutorService executor;

  /**
   * @param order puts a tenant's signals in class configuration order
   */
  SignalStream(
      ControlStore store,
      JsonMapper json,
      Clock clock,
      Duration poll,
      Duration heartbeat,
      Function<List<ControlSignal>, List<ControlSignal>> order) {
    this.store = store;
    this.json = json;
    this.clock = clock;
    this.poll = poll;
    this.heartbeat = heartbeat;
    this.order = order;
  }

  /**
   * A new listener of {@code tenant}'s signals; sends the current ones first. Synchronized with the
   * poll: a round of the poll running at the same time would otherwise send its own, possibly newer
   * reading in between, and the listener would end with the older snapshot's decisions.
   */
  synchronized SseEmitter subscribe(String tenant) {
    SseEmitter emitter = new SseEmitter(0L); // no timeout: the stream lasts
    List<SseEmitter> list = listeners.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>());
    Runnable remove = () -> list.remove(emitter);
    emitter.onCompletion(remove);
    emitter.onTimeout(remove);
    emitter.onError(e -> remove.run());
    list.add(emitter);
    if (!comment(emitter, "signals of " + tenant)) {
      list.remove(emitter);
      return emitter;
    }
    List<ControlSignal> current;
    try {
      current = order.apply(store.signals(tenant));
    } catch (RuntimeException e) {
      log.warn("could not read the control signals for a new listener: {}", e.toString());
      current = List.of();
    }
    for (ControlSignal s : current) {
      if (!send(emitter, s)) {
        list.remove(emitter);
        break;
      }
    }
    return emitter;
  }

  /** Listeners connected to this instance now. */
  int listeners() {
    return listeners.values().stream().mapToInt(List::size).sum();
  }

  private synchronized void tick() {
    if (listeners() == 0) {
      return;
    }
    Instant now = clock.instant();
    boolean all = !now.isBefore(lastHeartbeat.plus(heartbeat));
    List<ControlSignal> signals;
    try {
      signals = order.apply(store.signals(null));
    } catch (RuntimeException e) {
      log.warn("could not read the control signals: {}", e.toString());
      return;
    }
    if (all) {
      for (List<SseEmitter> list : listeners.values()) {
        for (SseEmitter e : list) {
          if (!comment(e, "heartbeat")) {
            list.remove(e);
          }
        }
      }
    }
    for (ControlSignal s : signals) {
      ControlSignal before = lastSent.get(s.key());
      boolean changed =
          before == null || !s.sameDecision(before) || !s.since().equals(before.since());
      if (all || changed) {
        List<SseEmitter> list = listeners.get(s.tenant());
        if (list != null) {
          for (SseEmitter e : list) {
            if (!send(e, s)) {
              list.remove(e);
            }
          }
        }
        lastSent.put(s.key(), s);
      }
    }
    if (all) {
      lastHeartbeat = now;
    }
  }

  private static boolean comment(SseEmitter emitter, String text) {
    try {
      emitter.send(SseEmitter.event().comment(text));
      return true;
    } catch (IOException | IllegalStateException e) {
      emitter.completeWithError(e);
      return false;
    }
  }

  private boolean send(SseEmitter emitter, ControlSignal s) {
    try {
      emitter.send(
          SseEmitter.event()
              .name("signal")
              .id(s.key() + "@" + s.evaluatedAt().toEpochMilli())
              .data(json.writeValueAsString(SignalView.of(s)), MediaType.APPLICATION_JSON));
      return true;
    } catch (IOException | IllegalStateException e) {
      emitter.completeWithError(e);
      return false;
    }
  }

  @Override
  public synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tierscope-control-stream");
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            tick();
          } catch (RuntimeException e) {
            log.warn("control stream tick failed: {}", e.toString());
          }
        },
        poll.toMillis(),
        poll.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
    listeners.values().forEach(list -> list.forEach(SseEmitter::complete));
    listeners.clear();
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }
}
