/**
 * The embedded exchange: every stage in one process over the in-process bus
 * (ARCHITECTURE.md, embedded mode). This file is the composition root: it builds
 * the bus, starts each service, and attaches the simulated market. Services never
 * see each other, only topics.
 */
import type { MarketSpec } from '@perpcore/domain';
import { InProcessBus, Topics } from '@perpcore/bus';
import { createMatchingService, type MatchingService } from '@perpcore/matching';
import { defaultMarketSpecs, simulatedOrderFlowConfig } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { createFastOrderBook, type OrderBookFactory } from '@perpcore/orderbook';
import { OrderFlowSimulation } from '@perpcore/simulation';
import { createHttpGateway, EventCapture } from './http-gateway.js';
import type { FastifyInstance } from './fastify-instance.js';
import { feedBackToFlow, SimOrderGateway } from './sim-order-gateway.js';

export interface EmbeddedExchangeOptions {
  logger: Logger;
  seed: number;
  markets?: readonly MarketSpec[];
  createBook?: OrderBookFactory;
  /** Encode and decode every message on the bus (slower; proves the wire). */
  codecRoundTrip?: boolean;
  /** Simulated time per command, ns (the event clock of the run). */
  stepNs?: number;
}

export interface StageCounters {
  commandsSent: number;
  matchingCommands: number;
  matchingEvents: number;
  fills: number;
  rejects: number;
  restingOrders: number;
}

export class EmbeddedExchange {
  private eventsSeen = 0;
  private rejects = 0;
  private http: FastifyInstance | undefined;
  private readonly capture = new EventCapture();
  private constructor(
    readonly bus: InProcessBus,
    readonly matching: MatchingService,
    readonly flow: OrderFlowSimulation,
    readonly gateway: SimOrderGateway,
    private readonly stepNs: number,
  ) {}

  static async create(options: EmbeddedExchangeOptions): Promise<EmbeddedExchange> {
    const markets = options.markets ?? defaultMarketSpecs;
    const bus = new InProcessBus({ codecRoundTrip: options.codecRoundTrip ?? false, logger: options.logger });
    const matching = await createMatchingService({
      bus,
      markets,
      createBook: options.createBook ?? createFastOrderBook,
      logger: options.logger.child({ stage: 'matching' }),
    });
    const gateway = new SimOrderGateway(bus, Topics.matchingCommands);
    const flow = new OrderFlowSimulation(simulatedOrderFlowConfig(options.seed, markets), gateway);
    const exchange = new EmbeddedExchange(bus, matching, flow, gateway, options.stepNs ?? 1_000_000);
    const marketIndex = new Map(markets.map((m, i) => [m.symbol, i]));
    await bus.subscribe(Topics.matchingEvents, { groupId: 'simulation', fromBeginning: true }, (message) => {
      exchange.eventsSeen++;
      if (message.value.event === 'rejected') exchange.rejects++;
      exchange.capture.offer(message.value);
      feedBackToFlow(flow, marketIndex, message.value);
    });
    return exchange;
  }

  /** Starts the HTTP API on 127.0.0.1 (port 0 picks a free one); resolves to its base URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    const engine = this.matching.engine;
    this.http = createHttpGateway({
      bus: this.bus,
      orderTopic: Topics.matchingCommands,
      markets: engine.markets().map((s) => engine.stream(s)?.spec).filter((s) => s !== undefined),
      book: (symbol) => engine.book(symbol),
      capture: this.capture,
    });
    return this.http.listen({ port, host });
  }

  /** Runs `count` simulated commands through the pipeline. */
  step(count: number): void {
    for (let i = 0; i < count; i++) {
      this.gateway.tsNs += this.stepNs;
      this.flow.step();
    }
  }

  counters(): StageCounters {
    const engine = this.matching.engine;
    let fills = 0;
    let resting = 0;
    for (const symbol of engine.markets()) {
      const stream = engine.stream(symbol);
      if (stream === undefined) continue;
      fills += stream.fills;
      resting += stream.book.restingOrderCount();
    }
    return {
      commandsSent: this.gateway.commandsSent,
      matchingCommands: engine.commandsApplied,
      matchingEvents: this.eventsSeen,
      fills,
      rejects: this.rejects,
      restingOrders: resting,
    };
  }

  stateHash(): string {
    return this.matching.engine.stateHash();
  }

  async close(): Promise<void> {
    if (this.http !== undefined) await this.http.close();
    await this.matching.close();
    await this.bus.close();
  }
}
