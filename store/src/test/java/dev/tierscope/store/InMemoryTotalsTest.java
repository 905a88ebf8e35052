package dev.tierscope.store;

import dev.tierscope.core.store.InMemoryWindowStore;

/** The reference in-memory store against the totals contract. */
class InMemoryTotalsTest extends TotalsContract {

  @Override
  protected Stores newStores() {
    InMemoryWindowStore store = new InMemoryWindowStore();
    return new Stores(store, store, store);
  }
}
