package dev.tierscope.core.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;

/** The reference in-memory store against every store contract. */
class InMemoryStoreContractsTest {

  private static StoreContract.Stores stores(InMemoryWindowStore store) {
    return new StoreContract.Stores(store, store, store);
  }

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

  @Nested
  class Checkpoints extends CheckpointStoreContract {
    private SteppingClock clock;

    @Override
    protected Stores newStores() {
      clock = new SteppingClock();
      return stores(new InMemoryWindowStore(clock));
    }

    @Override
    protected void letTimePass(Duration d) {
      clock.now = clock.now.plus(d);
    }
  }

  @Nested
  class Windows extends WindowStoreContract {
    @Override
    protected Stores newStores() {
      return stores(new InMemoryWindowStore());
    }
  }

  @Nested
  class Exemplars extends ExemplarReaderContract {
    @Override
    protected Stores newStores() {
      return stores(new InMemoryWindowStore());
    }
  }

  @Nested
  class WithRollups extends RollupsContract {
    private InMemoryWindowStore store;

    @Override
    protected Stores newStores() {
      store = new InMemoryWindowStore();
      return stores(store);
    }

    @Override
    protected Rollups rollups(Rollups.Settings settings) {
      return store.rollups(settings);
    }
  }

  @Nested
  class Slices extends SliceStoreContract {
    @Override
    protected Stores newStores() {
      InMemoryWindowStore store = new InMemoryWindowStore();
      return new Stores(store, store, store::rollups);
    }
  }

  @Nested
  class Totals extends TotalsContract {
    private InMemoryWindowStore store;

    @Override
    protected Stores newStores() {
      store = new InMemoryWindowStore();
      return stores(store);
    }

    @Override
    protected TotalsReader newTotals() {
      return store;
    }
  }
}
