/**
 * Where to load each image from: its own URI, or, for a format no browser decodes (TIFF), a JPEG display
 * copy the extension has the daemon make. Each copy is asked for once; a failure is not remembered, so
 * coming back to the image asks again.
 */
import type { DisplayCopyParams, WebviewEntry } from './protocol';

interface Pending {
  promise: Promise<string>;
  resolve(uri: string): void;
  reject(error: Error): void;
}

function pending(): Pending {
  let resolve!: (uri: string) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<string>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class DisplayCopies {
  private copies = new Map<string, Pending>();

  constructor(private readonly request: (file: string) => void) {}

  /** The URI to load `entry` from; asks for a display copy the first time one is needed. */
  uriOf(entry: WebviewEntry): Promise<string> {
    if (entry.imageUri !== null) return Promise.resolve(entry.imageUri);
    let copy = this.copies.get(entry.file);
    if (!copy) {
      copy = pending();
      this.copies.set(entry.file, copy);
      this.request(entry.file);
    }
    return copy.promise;
  }

  receive(answer: DisplayCopyParams): void {
    const copy = this.copies.get(answer.file);
    if (!copy) return;
    if ('uri' in answer) copy.resolve(answer.uri);
    else {
      this.copies.delete(answer.file);
      copy.reject(new Error(answer.error));
    }
  }

  /** Forgets every copy (a new dataset load carries new file versions). */
  clear(): void {
    this.copies = new Map();
  }
}
