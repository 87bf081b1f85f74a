import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { k6Options, k6Scenario } from '../../../load/k6/lib/options.ts';
import { runnableScenario, ScenarioNotRunnableError } from '../../../load/runner/run-scenario.ts';
import { SCENARIOS } from '../../../load/scenarios/index.ts';
import { refusal } from '../../../load/scenarios/types.ts';
import { validateConfig } from '../../../src/config/load.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

// The ids and names of ../shared/SCENARIOS.md.
const TABLE = [
  ['S01', 'steady-baseline'],
  ['S02', 'flash-sale-spike'],
  ['S03', 'payment-callback-storm'],
  ['S04', 'profile-aggregate'],
  ['S05', 'feed-refresh'],
  ['S06', 'coupon-redeem'],
  ['S07', 'large-transfer'],
  ['S08', 'connection-churn'],
  ['S09', 'tls-sni-handshakes'],
  ['S10', 'upstream-degradation'],
  ['S11', 'hot-reload-under-load'],
  ['S12', 'grpc-and-grpc-web'],
];

describe('scenario definitions', () => {
  it('define the 12 scenarios of SCENARIOS.md first, in order', () => {
    expect(SCENARIOS.slice(0, 12).map((s) => [s.id, s.name])).toEqual(TABLE);
  });

  it("give Sidelight configs that the project's schema accepts", () => {
    for (const s of SCENARIOS) expect(() => validateConfig(s.sidelight, `<${s.id}>`), s.id).not.toThrow();
    const s04 = SCENARIOS.find((s) => s.id === 'S04')!;
    expect(s04.sidelight.routes).toHaveLength(5000);
  });

  it('make S01, S04, S05, S07 and S11 runnable and refuse the rest with one line naming what is missing', () => {
    expect(SCENARIOS.filter((s) => refusal(s) === undefined).map((s) => s.id)).toEqual([
      'S01',
      'S04',
      'S05',
      'S07',
      'S11',
    ]);
    expect(() => runnableScenario('s08')).toThrow(
      new ScenarioNotRunnableError('S08 needs HTTP/2 listeners (issue #12)'),
    );
    for (const s of SCENARIOS.filter((d) => d.requires)) {
      expect(refusal(s)).toMatch(new RegExp(`^${s.id} needs [^\\n]+ \\(issue #\\d+\\)$`));
    }
  });
});

describe('k6 scripts', () => {
  const scripts = readdirSync(new URL('load/k6/', root)).filter((f) => /^S\d\d-.*\.ts$/.test(f));

  it('exist once per definition, named <id>-<name>.ts, importing that definition and its k6 options', () => {
    expect(scripts.sort()).toEqual(SCENARIOS.map((s) => `${s.id}-${s.name}.ts`));
    for (const s of SCENARIOS) {
      const src = read(`load/k6/${s.id}-${s.name}.ts`);
      const module = `${s.id.toLowerCase()}-${s.name}`;
      expect(src, s.id).toContain(`from '../scenarios/${module}.ts'`);
      expect(existsSync(new URL(`load/scenarios/${module}.ts`, root))).toBe(true);
      expect(src, s.id).toMatch(new RegExp(`k6Options\\(${s.id.toLowerCase()}, __ENV\\)`));
      expect(src, s.id).toMatch(/export const handleSummary = summaryWriter\(/);
    }
  });

  it("carry each definition's thresholds, scenario name and testid tag", () => {
    for (const s of SCENARIOS) {
      const o = k6Options(s, {});
      const client = s.thresholds.filter((t) => !t.metric.startsWith('sidelight_'));
      const expected: Record<string, string[]> = {};
      for (const t of client)
        expected[t.metric] = [...(expected[t.metric] ?? []), `${t.stat}${t.op}${t.value}`];
      expect(o.thresholds, s.id).toEqual(expected);
      expect(Object.keys(o.scenarios ?? {}), s.id).toEqual([s.name]);
      expect(o.tags, s.id).toEqual({ testid: s.id.toLowerCase() });
    }
  });

  it('take every rate, duration, VU count and threshold from the environment when set', () => {
    const s01 = SCENARIOS[0]!;
    expect(k6Scenario(s01, { RATE: '50', DURATION: '2m', PRE_VUS: '3', MAX_VUS: '9' })).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 50,
      duration: '2m',
      preAllocatedVUs: 3,
      maxVUs: 9,
    });
    expect(k6Options(s01, { P99_BUDGET_MS: '7', TESTID: 'run-7' })).toMatchObject({
      thresholds: { http_req_duration: ['p(99)<7'] },
      tags: { testid: 'run-7' },
    });
    const s02 = SCENARIOS[1]!;
    expect(k6Scenario(s02, { PEAK_RATE: '100', START_RATE: '5' })).toMatchObject({
      startRate: 5,
      stages: [
        { duration: '10s', target: 100 },
        { duration: '30s', target: 100 },
        { duration: '5s', target: 0 },
      ],
    });
    expect(k6Scenario(s02, { STAGES: '1s:10,2s:0' })).toMatchObject({
      stages: [
        { duration: '1s', target: 10 },
        { duration: '2s', target: 0 },
      ],
    });
    expect(k6Scenario(SCENARIOS[6]!, { VUS: '2', DURATION: '30' })).toMatchObject({
      vus: 2,
      duration: '30s',
    });
    expect(() => k6Scenario(s01, { RATE: 'fast' })).toThrow('RATE=fast: expected a non-negative number');
  });

  it('are type-checked with the k6 types by npm run check', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.check).toContain('tsc --noEmit -p load/k6');
    const tsconfig = JSON.parse(read('load/k6/tsconfig.json')) as { compilerOptions: { types: string[] } };
    expect(tsconfig.compilerOptions.types).toEqual(['k6']);
  });
});
