/**
 * The protobufjs runtime, configured once for the whole process: 64-bit integer
 * fields decode as JS numbers, never as `Long` objects.
 *
 * Why: ticks, lots, ids and per-event money amounts are safe integers everywhere in
 * Perpcore (ARCHITECTURE.md, Numbers), so numbers need no conversion on either side.
 * What could exceed 2^53 is carried differently: totals as decimal-integer strings
 * (`…_units` string fields), timestamps (`…_ns`) as integer-valued doubles. The
 * codecs range-check every decoded number (see wire-range.ts), so a value the
 * number representation would silently round is rejected, never applied.
 *
 * This module must be evaluated before the generated module: its message
 * prototypes take their int64 defaults (`Long` or `0`) when it loads. wire.ts
 * imports this file first, and ESM evaluates imports in order.
 */
import protobuf from 'protobufjs/minimal.js';

protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

export const protobufRuntime = protobuf;
