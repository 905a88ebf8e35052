package dev.tierscope.store;

import dev.tierscope.core.store.InMemoryWindowStore;

/** The reference in-memory store against the store contract. */
class InMemoryWindowStoreTest extends WindowStoreContract {

  @Override
  protected Stores newStores() {
    InMemoryWindowStore store = new InMemoryWindowStore();
    return new Stores(store, store);
  }
}
