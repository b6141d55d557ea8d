/** Decoded images by URI, the most recent few kept so switching back and forth is instant. */
export class ImageCache {
  private readonly images = new Map<string, Promise<HTMLImageElement>>();

  // Decoded 12 MP photos are ~48 MB each: the current image, its two neighbours and the previous one.
  constructor(private readonly capacity = 4) {}

  /** The decoded image; rejects when it cannot be loaded. */
  load(uri: string): Promise<HTMLImageElement> {
    const cached = this.images.get(uri);
    if (cached) {
      this.images.delete(uri);
      this.images.set(uri, cached);
      return cached;
    }
    const image = new Image();
    image.decoding = 'async';
    image.src = uri;
    const loading = image.decode().then(() => image);
    loading.catch(() => this.images.delete(uri));
    this.images.set(uri, loading);
    while (this.images.size > this.capacity) this.images.delete(this.images.keys().next().value!);
    return loading;
  }
}
