/**
 * The generated message classes (protobufjs-cli static module, built from
 * proto/perpcore/** into ../generated, never hand-edited). Importing it through
 * this file guarantees the runtime is configured first (protobuf-runtime.ts).
 * The relative path resolves from src/ (types) and dist/ (runtime) alike.
 */
import './protobuf-runtime.js';

export { perpcore } from '../generated/perpcore.js';
