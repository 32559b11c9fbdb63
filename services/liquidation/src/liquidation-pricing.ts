/** The ladder's IOC limit and fill surplus live in @perpcore/margin (liquidation-fill-pricing.ts), shared with the stress query. */
export { bandedLimitTicks, surplusUnits } from '@perpcore/margin';
