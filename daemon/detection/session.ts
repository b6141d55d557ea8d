/**
 * ONNX Runtime sessions: one intra-op thread per core (at most 4), one inter-op thread. Measured in
 * bench/detect.ts on 2 cores: YuNet 24 ms per 0.7 MP image with 2 threads vs 42 ms with 1, BlazeFace
 * pyramid 12.6 vs 8.5 images/s (decode included, so libvips is not starved); 2 threads with spinning
 * disabled came between (29 ms).
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Threads inside one operator; default defaultIntraOpThreads(). */
  intraOpNumThreads?: number;
}

const MAX_INTRA_OP_THREADS = 4;

/** One per core, at most 4; VEIL_ORT_THREADS overrides. */
export function defaultIntraOpThreads(): number {
  const fromEnv = Number(process.env.VEIL_ORT_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.min(MAX_INTRA_OP_THREADS, availableParallelism());
}

/** A CPU session over model bytes (already hash-checked by the caller: never re-read from disk). */
export function openSession(modelBytes: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelBytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: options.intraOpNumThreads ?? defaultIntraOpThreads(),
    interOpNumThreads: 1,
    // Warnings about unused initializers in the published models are noise on the daemon's stderr.
    logSeverityLevel: 3,
  });
}

/** Runs one float32 input and returns every output's data by name. */
export async function runFloat(session: ort.InferenceSession, input: Float32Array, dims: readonly number[]): Promise<Record<string, Float32Array>> {
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, dims) };
  const results = await session.run(feeds);
  return Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, tensor.data as Float32Array]));
}
