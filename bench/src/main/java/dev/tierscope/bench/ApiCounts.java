package dev.tierscope.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the API, every {@code interval}, how many requests of a tenant it counts ({@code GET
 * /api/v1/metrics}: the sum of {@code tierscope_requests_total} over the classes, read from the
 * store's class totals, which the aggregator writes in the same transaction as its windows), and
 * keeps every answer with its time.
 */
final class ApiCounts implements AutoCloseable {

  private static final Pattern REQUESTS =
      Pattern.compile("(?m)^tierscope_requests_total\\{[^}]*}\\s+([0-9.Ee+]+)\\s*$");

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI uri;
  private final Duration interval;
  private final List<Freshness.Count> counts = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopped;
  private volatile long failures;

  ApiCounts(String apiBase, String tenant, Duration interval) {
    this.uri = URI.create(apiBase + "/api/v1/metrics?tenant=" + tenant);
    this.interval = interval;
    this.thread = new Thread(this::poll, "api-counts");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void poll() {
    long next = System.nanoTime();
    while (!stopped) {
      try {
        long at = System.nanoTime();
        long n = requests();
        synchronized (counts) {
          counts.add(new Freshness.Count(at, n));
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        failures++;
      }
      next += interval.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      } else {
        next = System.nanoTime();
      }
    }
  }

  /** The count now (one request to the API). */
  long requests() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + uri + ": " + r.statusCode() + " " + r.body());
    }
    Matcher m = REQUESTS.matcher(r.body());
    long sum = 0;
    while (m.find()) {
      sum += (long) Double.parseDouble(m.group(1));
    }
    return sum;
  }

  /** The answers so far, in time order. */
  List<Freshness.Count> counts() {
    synchronized (counts) {
      return new ArrayList<>(counts);
    }
  }

  /** The latest count, or -1 before the first answer. */
  long latest() {
    synchronized (counts) {
      return counts.isEmpty() ? -1 : counts.get(counts.size() - 1).requests();
    }
  }

  long failures() {
    return failures;
  }

  /** Waits until the API counts at least {@code requests}; false after {@code timeout}. */
  boolean awaitAtLeast(long requests, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (latest() >= requests) {
        return true;
      }
      Thread.sleep(50);
    }
    return latest() >= requests;
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.interrupt();
    thread.join(5000);
  }
}
