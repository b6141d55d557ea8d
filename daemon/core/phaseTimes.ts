/** Wall time spent per phase of a commit, for the benchmark's split (phases may overlap in time). */
export type Phase = 'read' | 'decode' | 'render' | 'encode' | 'verify' | 'encrypt' | 'fsync';

export class PhaseTimes {
  readonly ms: Record<Phase, number> = { read: 0, decode: 0, render: 0, encode: 0, verify: 0, encrypt: 0, fsync: 0 };

  async time<T>(phase: Phase, work: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.ms[phase] += performance.now() - start;
    }
  }
}
