export * from './bus.js';
export * from './topic.js';
export * from './topics.js';
export * from './partition-for-key.js';
export * from './in-process-bus.js';
export { KafkaBus, type KafkaBusOptions } from './kafka-bus.js';
export { BusConnectError } from './kafka-connect.js';
export { kafkaConfigSchema, kafkaBusOptions, type KafkaConfig } from './kafka-config.js';
export { SeqVerdict, SequenceDedup, type SequenceDedupOptions } from './sequence-dedup.js';
