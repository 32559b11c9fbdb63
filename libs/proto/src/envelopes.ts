/**
 * The envelopes that travel on topics, their types and codecs. Each envelope
 * carries `schemaMajor` (always SCHEMA_MAJOR_V1), its stage's sequence number
 * `seq` (the consumer's dedup key), `tsNs` and exactly one payload, named by its
 * oneof discriminator (`command` or `event`).
 *
 * Types are the generated classes, with the discriminator made required: a value
 * built as a plain object (the embedded bus passes those by reference) must say
 * which payload it carries, exactly as a decoded message does.
 *
 * The three envelopes consumers read most of (order commands, matching events, index
 * prices) decode through the plain fast path first (plain-envelope-decoders.ts), so
 * a Kafka consumer gets the same plain objects the embedded producers build; the
 * `protobuf…Codec` exports are the same codecs without it (the reference the fast
 * path is tested against).
 */
import { createEnvelopeCodec, type WireCodec, withFastDecode } from './envelope-codec.js';
import { decodeMatchingCommandPlain, decodeMatchingEventPlain, decodeOracleEventPlain } from './plain-envelope-decoders.js';
import { perpcore } from './wire.js';

import matching = perpcore.matching.v1;
import risk = perpcore.risk.v1;
import liquidation = perpcore.liquidation.v1;
import oracle = perpcore.oracle.v1;

type WithKind<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };

export type MatchingCommandV1 = WithKind<matching.MatchingCommandV1, 'command'>;
export type MatchingEventV1 = WithKind<matching.MatchingEventV1, 'event'>;
/** One account's share of a matching event (a fill goes out once per side). */
export type MatchingAccountEventV1 = Omit<matching.MatchingAccountEventV1, 'event'> & { event: MatchingEventV1 };
export type AccountCommandV1 = WithKind<risk.AccountCommandV1, 'command'>;
export type RiskEventV1 = WithKind<risk.RiskEventV1, 'event'>;
export type LiquidationEventV1 = WithKind<liquidation.LiquidationEventV1, 'event'>;
export type OracleEventV1 = WithKind<oracle.OracleEventV1, 'event'>;

export const protobufMatchingCommandCodec: WireCodec<MatchingCommandV1> = createEnvelopeCodec(
  'perpcore.matching.v1.MatchingCommandV1',
  matching.MatchingCommandV1 as never,
  (v: MatchingCommandV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.command }),
);
export const matchingCommandCodec: WireCodec<MatchingCommandV1> = withFastDecode(protobufMatchingCommandCodec, decodeMatchingCommandPlain);

export const protobufMatchingEventCodec: WireCodec<MatchingEventV1> = createEnvelopeCodec(
  'perpcore.matching.v1.MatchingEventV1',
  matching.MatchingEventV1 as never,
  (v: MatchingEventV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.event }),
);
export const matchingEventCodec: WireCodec<MatchingEventV1> = withFastDecode(protobufMatchingEventCodec, decodeMatchingEventPlain);

export const matchingAccountEventCodec: WireCodec<MatchingAccountEventV1> = createEnvelopeCodec(
  'perpcore.matching.v1.MatchingAccountEventV1',
  matching.MatchingAccountEventV1 as never,
  (v: MatchingAccountEventV1) => (v.event == null ? null : { schemaMajor: v.event.schemaMajor, payloadKind: v.event.event }),
);

export const accountCommandCodec: WireCodec<AccountCommandV1> = createEnvelopeCodec(
  'perpcore.risk.v1.AccountCommandV1',
  risk.AccountCommandV1 as never,
  (v: AccountCommandV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.command }),
);

/** A gateway's command to the cluster's spot-margin stage (spot-commands.proto). */
export type SpotCommandV1 = WithKind<risk.SpotCommandV1, 'command'>;

export const spotCommandCodec: WireCodec<SpotCommandV1> = createEnvelopeCodec(
  'perpcore.risk.v1.SpotCommandV1',
  risk.SpotCommandV1 as never,
  (v: SpotCommandV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.command }),
);

export const riskEventCodec: WireCodec<RiskEventV1> = createEnvelopeCodec(
  'perpcore.risk.v1.RiskEventV1',
  risk.RiskEventV1 as never,
  (v: RiskEventV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.event }),
);

export const liquidationEventCodec: WireCodec<LiquidationEventV1> = createEnvelopeCodec(
  'perpcore.liquidation.v1.LiquidationEventV1',
  liquidation.LiquidationEventV1 as never,
  (v: LiquidationEventV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.event }),
);

export const protobufOracleEventCodec: WireCodec<OracleEventV1> = createEnvelopeCodec(
  'perpcore.oracle.v1.OracleEventV1',
  oracle.OracleEventV1 as never,
  (v: OracleEventV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.event }),
);
export const oracleEventCodec: WireCodec<OracleEventV1> = withFastDecode(protobufOracleEventCodec, decodeOracleEventPlain);

export const encodeMatchingCommand = matchingCommandCodec.encode;
export const decodeMatchingCommand = matchingCommandCodec.decode;
export const encodeMatchingEvent = matchingEventCodec.encode;
export const decodeMatchingEvent = matchingEventCodec.decode;
export const encodeMatchingAccountEvent = matchingAccountEventCodec.encode;
export const decodeMatchingAccountEvent = matchingAccountEventCodec.decode;
export const encodeAccountCommand = accountCommandCodec.encode;
export const decodeAccountCommand = accountCommandCodec.decode;
export const encodeRiskEvent = riskEventCodec.encode;
export const decodeRiskEvent = riskEventCodec.decode;
export const encodeLiquidationEvent = liquidationEventCodec.encode;
export const decodeLiquidationEvent = liquidationEventCodec.decode;
export const encodeOracleEvent = oracleEventCodec.encode;
export const decodeOracleEvent = oracleEventCodec.decode;

import gateway = perpcore.gateway.v1;

/** A gateway's read-only question to the stages (cluster mode; never part of a stage's input log). */
export type GatewayQueryV1 = WithKind<gateway.GatewayQueryV1, 'query'>;
/** A stage's answer to a `GatewayQueryV1`, keyed back to the asking gateway. */
export type GatewayReplyV1 = WithKind<gateway.GatewayReplyV1, 'reply'>;

export const gatewayQueryCodec: WireCodec<GatewayQueryV1> = createEnvelopeCodec(
  'perpcore.gateway.v1.GatewayQueryV1',
  gateway.GatewayQueryV1 as never,
  (v: GatewayQueryV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.query }),
);

export const gatewayReplyCodec: WireCodec<GatewayReplyV1> = createEnvelopeCodec(
  'perpcore.gateway.v1.GatewayReplyV1',
  gateway.GatewayReplyV1 as never,
  (v: GatewayReplyV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.reply }),
);

/** One change of the operator's account and API-key registry (registry.proto), as the gateways share it. */
export type RegistryCommandV1 = WithKind<gateway.RegistryCommandV1, 'command'>;

export const registryCommandCodec: WireCodec<RegistryCommandV1> = createEnvelopeCodec(
  'perpcore.gateway.v1.RegistryCommandV1',
  gateway.RegistryCommandV1 as never,
  (v: RegistryCommandV1) => ({ schemaMajor: v.schemaMajor, payloadKind: v.command }),
);
