/**
 * Reusable float buffers for model inputs. Writing into freshly allocated memory costs page faults
 * (measured ~4 ms per 0.7 MP YuNet input, as much as filling it); a borrowed buffer is already mapped.
 * Borrow/return keeps concurrent detect calls safe: each holds its own buffer until it gives it back.
 */
export class ScratchBuffers {
  private readonly idle: Float32Array[] = [];

  constructor(private readonly keep = 2) {}

  /** A buffer of exactly `length` floats; contents are whatever the last user left (callers overwrite it all). */
  borrow(length: number): Float32Array {
    const index = this.idle.findIndex((buffer) => buffer.buffer.byteLength >= length * 4);
    if (index < 0) return new Float32Array(length);
    const [buffer] = this.idle.splice(index, 1);
    return new Float32Array(buffer.buffer, 0, length);
  }

  giveBack(buffer: Float32Array): void {
    this.idle.push(buffer);
    if (this.idle.length > this.keep) this.idle.shift();
  }
}
