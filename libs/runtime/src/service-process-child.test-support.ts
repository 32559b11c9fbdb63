/**
 * Test support: a service process whose start and close are steered by the
 * environment (CHILD_START: ok | fail; CHILD_CLOSE: ok | hang; CHILD_FINISH: never |
 * done | fail, after 50 ms). It prints `closed`
 * on stdout when its close ran, so the test sees that the shutdown path was taken,
 * and `message <type>` for each message its parent sends it beyond stop and stats.
 */
import { integerField } from '@perpcore/config';
import { runServiceProcess } from './service-process.js';

runServiceProcess({
  name: 'child-service',
  schema: { portNumber: integerField('T_CHILD_PORT', { min: 1, max: 65_535, fallback: 1 }) },
  async start({ config }) {
    if (process.env.CHILD_START === 'fail') throw new Error('broker 127.0.0.1:1 unreachable');
    const keepAlive = setInterval(() => undefined, 1_000);
    let handled = 0;
    const finish = process.env.CHILD_FINISH ?? 'never';
    const finished =
      finish === 'never' ? undefined : new Promise<void>((resolve, reject) => setTimeout(() => (finish === 'done' ? resolve() : reject(new Error('run went wrong'))), 50));
    return {
      finished,
      stats: () => ({ handled: ++handled, portNumber: config.portNumber }),
      onParentMessage: (message) => process.stdout.write(`message ${message.type}\n`),
      async close() {
        if (process.env.CHILD_CLOSE === 'hang') await new Promise(() => undefined);
        clearInterval(keepAlive);
        process.stdout.write('closed\n');
      },
    };
  },
});
