/**
 * A stage's state as bytes: capture its graph (state-graph.ts) and encode it
 * (state-encoding.ts), or decode and overlay onto a fresh twin. What each stage's
 * `exportState()` / `importState()` is built on.
 */
import { decodeFrame, encodeFrame } from './state-encoding.js';
import { captureGraph, type CaptureOptions, restoreGraph } from './state-graph.js';

export function captureState(root: object, options: CaptureOptions = {}): Uint8Array {
  return encodeFrame(captureGraph(root, options));
}

/** Overlays `bytes` onto `twin` (a fresh stage of the same configuration); throws, writing nothing, if they do not fit. */
export function restoreState(twin: object, bytes: Uint8Array, options: CaptureOptions = {}): void {
  restoreGraph(twin, decodeFrame(bytes), options);
}
