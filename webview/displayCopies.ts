/**
 * Where to load each image from: its own URI, or, for a format no browser decodes (TIFF), a JPEG display
 * copy the extension has the daemon make. Each copy is asked for once; a failure is not remembered, so
 * coming back to the image asks again.
 */
import type { DisplayCopyParams, WebviewEntry } from './protocol';

interface Pending<Answer> {
  promise: Promise<Answer>;
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

function pending<Answer>(): Pending<Answer> {
  let resolve!: (answer: Answer) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<Answer>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Answers the extension sends for a file (a display copy, a video's playable copy): asked for once per file, awaited
 * by whoever needs it; a failure is forgotten, so the next need asks again.
 */
export class AskedOnce<Answer> {
  private answers = new Map<string, Pending<Answer>>();

  constructor(private readonly request: (file: string) => void) {}

  answerFor(file: string): Promise<Answer> {
    let answer = this.answers.get(file);
    if (!answer) {
      answer = pending<Answer>();
      this.answers.set(file, answer);
      this.request(file);
    }
    return answer.promise;
  }

  receive(file: string, answer: Answer | Error): void {
    const waiting = this.answers.get(file);
    if (!waiting) return;
    if (answer instanceof Error) {
      this.answers.delete(file);
      waiting.reject(answer);
    } else waiting.resolve(answer);
  }

  /** Forgets every answer (a new dataset load carries new file versions). */
  clear(): void {
    this.answers = new Map();
  }
}

export class DisplayCopies {
  private readonly copies: AskedOnce<string>;

  constructor(request: (file: string) => void) {
    this.copies = new AskedOnce(request);
  }

  /** The URI to load `entry` from; asks for a display copy the first time one is needed. */
  uriOf(entry: WebviewEntry): Promise<string> {
    return entry.imageUri !== null ? Promise.resolve(entry.imageUri) : this.copies.answerFor(entry.file);
  }

  receive(answer: DisplayCopyParams): void {
    this.copies.receive(answer.file, 'uri' in answer ? answer.uri : new Error(answer.error));
  }

  /** Forgets every copy (a new dataset load carries new file versions). */
  clear(): void {
    this.copies.clear();
  }
}
