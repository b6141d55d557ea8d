/** The daemon's open datasets: one ReviewStore per real root, so there is one writer per review file. */
import { ReviewStore } from '../review/store';
import { resolveRoot } from '../dataset/paths';

export class OpenDatasets {
  private readonly stores = new Map<string, Promise<ReviewStore>>();

  /** The real root and its review store (opened once per daemon). */
  async open(root: string): Promise<{ root: string; store: ReviewStore }> {
    const real = resolveRoot(root);
    let store = this.stores.get(real);
    if (!store) {
      store = ReviewStore.open(real);
      this.stores.set(real, store);
      store.catch(() => this.stores.delete(real));
    }
    return { root: real, store: await store };
  }
}
