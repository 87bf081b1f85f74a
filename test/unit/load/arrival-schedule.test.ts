import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { constantArrivals, rampingArrivals } from '../../../load/runner/arrival-schedule.ts';
import { drive } from '../../../load/runner/http-driver.ts';
import type { ScenarioDefinition } from '../../../load/scenarios/types.ts';

/** A one-request GET scenario at `rate`/s for `seconds` (enough connections that the pool never queues). */
function getScenario(rate: number, seconds: number): ScenarioDefinition {
  return {
    id: 'T01',
    name: 'test',
    traffic: 'GET /x',
    exercises: 'the arrival loop',
    executor: {
      kind: 'constant-arrival-rate',
      rate,
      durationSeconds: seconds,
      preAllocatedVUs: 1,
      maxVUs: 64,
    },
    iteration: { parallel: false, requests: [{ method: 'GET', path: '/x/{id}', route: '/x/:id' }] },
    idRange: 1000,
    thresholds: [],
    reports: [],
    sidelight: { upstream: { endpoints: [{ url: 'http://127.0.0.1:1' }] } },
  };
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('arrival schedule', () => {
  it('spaces constant arrivals 1/rate apart', () => {
    const t = constantArrivals(4, 2);
    expect([...t]).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]);
  });

  it('ramps arrivals with the integral of a linear rate', () => {
    // 0 -> 100/s over 2 s is 100 arrivals, a quarter of them in the first second; then 100/s for 1 s.
    const t = rampingArrivals(0, [
      { durationSeconds: 2, target: 100 },
      { durationSeconds: 1, target: 100 },
    ]);
    expect(t.length).toBe(200);
    expect(t.filter((x) => x < 1).length).toBe(25);
    expect(t.filter((x) => x < 2).length).toBe(100);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
    // Arrival k of the ramp is due at sqrt(2k / slope) with slope 50/s².
    expect(t[50]).toBeCloseTo(Math.sqrt((2 * 50) / 50), 9);
  });

  it('keeps sending on schedule while a slow target has answered nothing (open model)', async () => {
    // The target answers nothing until all 10 requests have arrived: a closed loop would stall here for good.
    const held: http.ServerResponse[] = [];
    const url = await listen((_req, res) => {
      held.push(res);
      if (held.length === 10) for (const r of held) r.end('ok');
    });
    const run = await drive({ def: getScenario(20, 0.5), target: url, scale: 1, durationSeconds: 0.5 });
    expect(run.requests).toHaveLength(10);
    expect(run.requests.every((r) => r.status === 200 && !r.failed)).toBe(true);
    // Each response was released only after the last request was sent, at or after its intended start.
    const last = Math.max(...run.requests.map((r) => r.t));
    for (const r of run.requests) expect(r.latencyMs).toBeGreaterThanOrEqual((last - r.t) * 1000 - 0.001);
  });

  it('measures latency from the intended start, so a late sender does not hide the delay', async () => {
    const url = await listen((_req, res) => res.end('ok'));
    // Block the event loop for 300 ms right after the run starts: arrivals due in that window go out late.
    setImmediate(() => {
      const until = performance.now() + 300;
      while (performance.now() < until) {
        // busy: nothing may run
      }
    });
    const run = await drive({ def: getScenario(20, 0.5), target: url, scale: 1, durationSeconds: 0.5 });
    const late = run.requests.filter((r) => r.t > 0 && r.t < 0.3);
    expect(late.length).toBe(5);
    // Sent no earlier than 300 ms into the run, so at least (300 ms - intended start) late.
    for (const r of late) expect(r.latencyMs).toBeGreaterThanOrEqual(300 - r.t * 1000 - 0.001);
  });
});
