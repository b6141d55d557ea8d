/**
 * ONNX Runtime sessions. One intra-op thread by default: ORT's spinning worker threads starve libvips
 * (and the rest of the daemon) on small machines; measured in bench/detect.ts.
 */
import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Threads inside one operator; default 1 (VEIL_ORT_THREADS overrides). */
  intraOpNumThreads?: number;
}

export function defaultIntraOpThreads(): number {
  const fromEnv = Number(process.env.VEIL_ORT_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1;
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
