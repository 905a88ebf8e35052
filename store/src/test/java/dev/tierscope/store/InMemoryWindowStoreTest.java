package dev.tierscope.store;

import dev.tierscope.core.store.InMemoryWindowStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The reference in-memory store against the store contract. */
class InMemoryWindowStoreTest extends WindowStoreContract {

  /** A clock the cases move forward. */
  private static final class SteppingClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private SteppingClock clock;

  @Override
  protected Stores newStores() {
    clock = new SteppingClock();
    InMemoryWindowStore store = new InMemoryWindowStore(clock);
    return new Stores(store, store);
  }

  @Override
  protected void letTimePass(Duration d) {
    clock.now = clock.now.plus(d);
  }
}
