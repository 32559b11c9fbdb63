/**
 * Account commands of the simulated market (deposits, leverage settings, loans), as the
 * `gateway-sim` source with one sequence per account, onto the account-command topic.
 */
import { type Bus, Topics } from '@perpcore/bus';
import { SCHEMA_MAJOR_V1, type AccountCommandV1 } from '@perpcore/proto';

export class SimAccountGateway {
  private readonly seqByAccount = new Map<number, number>();
  private commandId = 0;
  tsNs = 0;

  constructor(
    private readonly bus: Bus,
    /** The command stream's producer name (risk dedups per source and account): one per run in cluster mode. */
    private readonly source = 'gateway-sim',
  ) {}

  /** Command ids issued so far are 1..lastCommandId (risk echoes them in its answers). */
  get lastCommandId(): number {
    return this.commandId;
  }

  private envelope(accountId: number): AccountCommandV1 {
    const seq = (this.seqByAccount.get(accountId) ?? 0) + 1;
    this.seqByAccount.set(accountId, seq);
    return { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq, tsNs: this.tsNs, source: this.source, commandId: ++this.commandId } as AccountCommandV1;
  }

  deposit(accountId: number, asset: string, amountUnits: number): void {
    const cmd = this.envelope(accountId);
    cmd.command = 'deposit';
    cmd.deposit = { asset, amountUnits };
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }

  /** Operator side: signs the account up as a backstop liquidator in every market. */
  enableBackstopLiquidator(accountId: number, maxPositionNotionalUnits: number): void {
    const cmd = this.envelope(accountId);
    cmd.command = 'setBackstopLiquidator';
    cmd.setBackstopLiquidator = { enabled: true, markets: [], maxPositionNotionalUnits } as unknown as AccountCommandV1['setBackstopLiquidator'];
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }

  openLoan(accountId: number, loanAsset: string, collateralAsset: string, principalUnits: number, collateralUnits: number): void {
    const cmd = this.envelope(accountId);
    cmd.command = 'openLoan';
    cmd.openLoan = { loanAsset, collateralAsset, principalUnits, collateralUnits } as AccountCommandV1['openLoan'];
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }

  addLoanCollateral(accountId: number, loanId: number, amountUnits: number): void {
    const cmd = this.envelope(accountId);
    cmd.command = 'addLoanCollateral';
    cmd.addLoanCollateral = { loanId, amountUnits } as AccountCommandV1['addLoanCollateral'];
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }

  setLeverage(accountId: number, market: string, leverage: number): void {
    const cmd = this.envelope(accountId);
    cmd.command = 'setLeverage';
    cmd.setLeverage = { market, leverage };
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }

  // the lending pool (defi-liquidation): the simulated borrowers and the external liquidator bot

  poolSupply(accountId: number, asset: string, amountUnits: number): void {
    const cmd = this.envelope(accountId);
    cmd.command = 'poolSupply';
    cmd.poolSupply = { asset, amountUnits };
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }

  poolBorrow(accountId: number, asset: string, amountUnits: number): void {
    const cmd = this.envelope(accountId);
    cmd.command = 'poolBorrow';
    cmd.poolBorrow = { asset, amountUnits };
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }

  liquidationCall(liquidatorId: number, borrowerAccountId: number, debtAsset: string, collateralAsset: string, debtToCoverUnits: number, expectedPositionSeq: number): void {
    const cmd = this.envelope(liquidatorId);
    cmd.command = 'liquidationCall';
    cmd.liquidationCall = { borrowerAccountId, debtAsset, collateralAsset, debtToCoverUnits, expectedPositionSeq };
    this.bus.publish(Topics.gatewayAccountCommands, cmd);
  }
}
