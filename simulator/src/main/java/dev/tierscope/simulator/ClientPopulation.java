package dev.tierscope.simulator;

import dev.tierscope.sdk.ClientPath;
import dev.tierscope.sdk.ConnectionType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The clients a run draws its interactive requests from, and the batch workers that submit the
 * deferred batch: fixed for a seed, so a request's client (and its path, protocol, round trip) is
 * part of the reproducible ground truth.
 *
 * <p>Interactive clients: 60% direct, 15% VPN, 10% SASE, 15% mobile (cell). 70% use HTTP/3, 27%
 * HTTP/2, 3% HTTP/1.1. Median round trips: direct 25 ms, VPN 55 ms, SASE 45 ms, mobile 70 ms. Batch
 * workers sit in a data centre: direct, wired, HTTP/2, ~3 ms.
 */
public final class ClientPopulation {

  private static final int BATCH_WORKERS = 8;

  private final List<SimClient> interactive;
  private final List<SimClient> batchWorkers;

  private ClientPopulation(List<SimClient> interactive, List<SimClient> batchWorkers) {
    this.interactive = interactive;
    this.batchWorkers = batchWorkers;
  }

  /** {@code count} interactive clients and a few batch workers, drawn from {@code seed}. */
  public static ClientPopulation generate(long seed, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("clients must be at least 1, got " + count);
    }
    SplittableRandom r = Rng.stream(seed, -1, Rng.CLIENTS);
    List<SimClient> clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      double p = r.nextDouble();
      ClientPath path =
          p < 0.60
              ? ClientPath.DIRECT
              : p < 0.75 ? ClientPath.VPN : p < 0.85 ? ClientPath.SASE : ClientPath.MOBILE;
      ConnectionType connection =
          path == ClientPath.MOBILE
              ? ConnectionType.CELL
              : r.nextDouble() < 0.55 ? ConnectionType.WIFI : ConnectionType.WIRED;
      double q = r.nextDouble();
      String protocol = q < 0.70 ? "3" : q < 0.97 ? "2" : "1.1";
      double medianRttMillis =
          switch (path) {
            case DIRECT -> 25;
            case VPN -> 55;
            case SASE -> 45;
            case MOBILE -> 70;
          };
      long rtt = Lognormal.ofMillis(medianRttMillis, 0.35).sample(r);
      double t = r.nextDouble();
      boolean tunnelled =
          switch (path) {
            case VPN, SASE -> true;
            case MOBILE -> t < 0.5;
            case DIRECT -> t < 0.1;
          };
      clients.add(new SimClient(i, path, connection, protocol, Math.max(1000, rtt), tunnelled));
    }
    List<SimClient> workers = new ArrayList<>(BATCH_WORKERS);
    for (int i = 0; i < BATCH_WORKERS; i++) {
      long rtt = Lognormal.ofMillis(3, 0.2).sample(r);
      workers.add(
          new SimClient(
              count + i, ClientPath.DIRECT, ConnectionType.WIRED, "2", Math.max(500, rtt), false));
    }
    return new ClientPopulation(List.copyOf(clients), List.copyOf(workers));
  }

  /** The interactive clients. */
  public List<SimClient> interactive() {
    return interactive;
  }

  /** The batch workers. */
  public List<SimClient> batchWorkers() {
    return batchWorkers;
  }

  SimClient pickInteractive(SplittableRandom r) {
    return interactive.get(r.nextInt(interactive.size()));
  }

  SimClient pickBatchWorker(SplittableRandom r) {
    return batchWorkers.get(r.nextInt(batchWorkers.size()));
  }
}
