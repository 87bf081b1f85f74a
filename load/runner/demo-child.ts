/** The demo service in a process of its own (so it does not share the load generator's event loop). */
import { parseArgs } from 'node:util';
import { startDemoServer } from '../../src/demo/server.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const demo = await startDemoServer({ host: '127.0.0.1', port: Number(values.port) });
process.stdout.write(`${demo.url}\n`);
process.once('SIGTERM', () => void demo.close().then(() => process.exit(0)));
