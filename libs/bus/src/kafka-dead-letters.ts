/**
 * The dead-letter format on Kafka: a message on `<topic>.dlq` (one partition; low
 * volume, read in order) whose value is the original bytes and whose headers say
 * where it came from and why it was refused:
 *
 *   perpcore-dlq-topic, -partition, -offset, -group, -code, -reason
 *
 * The key is the original key, so an operator can re-publish a fixed message to
 * its partition.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { DeadLetter } from './bus.js';

const H = {
  topic: 'perpcore-dlq-topic',
  partition: 'perpcore-dlq-partition',
  offset: 'perpcore-dlq-offset',
  group: 'perpcore-dlq-group',
  code: 'perpcore-dlq-code',
  reason: 'perpcore-dlq-reason',
} as const;

export const DLQ_PARTITIONS = 1;

export function deadLetterHeaders(letter: DeadLetter): IHeaders {
  return {
    [H.topic]: letter.topic,
    [H.partition]: String(letter.partition),
    [H.offset]: String(letter.offset),
    [H.group]: letter.groupId,
    [H.code]: letter.code,
    [H.reason]: letter.reason.slice(0, 2_000),
  };
}

function header(headers: IHeaders | undefined, name: string): string {
  const value = headers?.[name];
  if (value === undefined) return '';
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
}

export function deadLetterFromMessage(message: KafkaMessage): DeadLetter {
  return {
    topic: header(message.headers, H.topic),
    partition: Number(header(message.headers, H.partition)),
    offset: Number(header(message.headers, H.offset)),
    key: message.key === null ? '' : message.key.toString(),
    code: header(message.headers, H.code),
    reason: header(message.headers, H.reason),
    bytes: message.value === null ? null : new Uint8Array(message.value),
    groupId: header(message.headers, H.group),
  };
}
