export { captureGraph, restoreGraph, SnapshotShapeError, type CaptureOptions, type Frame, type StateParticipant } from './state-graph.js';
export { InstanceMap } from './instance-map.js';
export { decodeFrame, decodeValue, encodeFrame, encodeValue } from './state-encoding.js';
export { configFingerprint } from './fingerprint.js';
export {
  decodeSnapshotFile,
  SNAPSHOT_FORMAT_VERSION,
  SnapshotCorruptError,
  SnapshotRefusedError,
  type SnapshotHeader,
  type SnapshotIdentity,
  type SnapshotPosition,
  type TopicOffsets,
} from './snapshot-file.js';
export { SnapshotStore, type PrunePolicy, type SnapshotStoreOptions, type StoredSnapshot } from './snapshot-store.js';
export { captureState, restoreState } from './stage-state.js';
export { OffsetTrackingBus } from './offset-tracking-bus.js';
export { loggedSnapshotEvents, openStageRecovery, StageRecoveryRefusedError, type RecoverableStage, type Recovery, type StageRecoveryOptions } from './stage-recovery.js';
export { snapshotConfigSchema, snapshotDirOf } from './snapshot-config.js';
export { openConfiguredStageRecovery, type SnapshotSettings, type StageIdentity } from './configured-stage-recovery.js';
export { decodeEntries, InputOrderLog, listInputOrderFiles, readInputOrder, type InputOrderEntry } from './input-order-log.js';
export { InputSequencer } from './input-sequencer.js';
