/**
 * The compose stack, as far as it runs here (no Docker engine): Debian's
 * docker-compose 1.29 validates the file (it rejects top-level `name:`,
 * healthcheck `start_interval` and `depends_on.*.required`), promtool checks
 * the Prometheus config, `sidelight validate` checks the sidecar's config,
 * the wiring between services is consistent, and the demo container's
 * command and healthcheck run for real against this checkout.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, PROMTOOL_BIN } from '../helpers/prometheus.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE = `${ROOT}compose/docker-compose.yml`;
const run = promisify(execFile);

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: { published: number; target: number }[];
  network_mode?: string;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/** The file as docker-compose 1.29 resolves it (anchors merged, paths absolute). */
let s: Record<string, Service>;
beforeAll(async () => {
  const { stdout } = await run('docker-compose', ['-f', COMPOSE, 'config']);
  s = (parse(stdout) as { services: Record<string, Service> }).services;
});
const readYaml = (path: string): unknown => parse(readFileSync(`${ROOT}${path}`, 'utf8'));

describe('compose/docker-compose.yml', () => {
  it('passes docker-compose 1.29 `config -q`', async () => {
    const { stdout: version } = await run('docker-compose', ['version', '--short']);
    expect(version.trim()).toMatch(/^1\.29\./);
    const { stdout, stderr } = await run('docker-compose', ['-f', COMPOSE, 'config', '-q']);
    expect(stdout + stderr).toBe('');
  });

  it('has the whole stack, the sidecar in the app network namespace, and k6 under a profile', async () => {
    expect(Object.keys(s).sort()).toEqual(
      ['demo', 'grafana', 'k6', 'loki', 'otel-collector', 'prometheus', 'sidelight', 'tempo'].sort(),
    );
    expect(s.sidelight!.network_mode).toBe('service:demo');
    expect(s.sidelight!.build).toEqual(s.demo!.build);
    expect(s.k6!.profiles).toEqual(['k6']);
    expect(s.k6!.command).toEqual([
      'run',
      '-o',
      'experimental-prometheus-rw',
      '/load/k6/S01-steady-baseline.ts',
    ]);
    expect(s.k6!.environment!.K6_PROMETHEUS_RW_SERVER_URL).toBe('http://prometheus:9090/api/v1/write');
    expect(s.prometheus!.command).toEqual(
      expect.arrayContaining(['--enable-feature=exemplar-storage', '--web.enable-remote-write-receiver']),
    );
    expect(s['otel-collector']!.image).toMatch(/^otel\/opentelemetry-collector-contrib:0\.(\d+)\./);
    expect(Number(/:0\.(\d+)\./.exec(s['otel-collector']!.image!)![1])).toBeGreaterThanOrEqual(154);
  });

  it('gives every long-running service a healthcheck its image can run, except the shell-less Collector', async () => {
    // What each image has to probe with: busybox wget (prometheus, grafana,
    // tempo on alpine), /busybox/wget (loki on distroless:debug), node (ours).
    const probes: Record<string, string> = {
      demo: 'node',
      prometheus: 'wget',
      grafana: 'wget',
      tempo: 'wget',
      loki: '/busybox/wget',
    };
    for (const [name, bin] of Object.entries(probes)) {
      expect(s[name]!.healthcheck?.test.slice(0, 2), name).toEqual(['CMD', bin]);
    }
    // The collector image has no shell or HTTP client; the sidecar inherits the Dockerfile's HEALTHCHECK.
    expect(s['otel-collector']!.healthcheck).toBeUndefined();
    expect(s.sidelight!.healthcheck).toBeUndefined();
    // Services wait for what they need.
    expect(s.sidelight!.depends_on!.demo!.condition).toBe('service_healthy');
    expect(s.k6!.depends_on!.sidelight!.condition).toBe('service_healthy');
  });

  it('mounts only files and folders that exist in the repo', async () => {
    const sources = Object.values(s).flatMap((svc) => (svc.volumes ?? []).map((v) => v.split(':')[0]!));
    expect(sources.length).toBeGreaterThan(5);
    // load/k6 comes from the load scenarios (issue #11, helper-11-load).
    for (const src of sources) expect(existsSync(src), src).toBe(true);
  });

  it('points Prometheus at the ports the sidecar and the Collector really serve', async () => {
    const prom = readYaml('compose/prometheus/prometheus.yml') as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      prom.scrape_configs.map((c) => [c.job_name, c.static_configs[0]!.targets[0]]),
    );
    const adminPort = Number(s.sidelight!.environment!.SIDELIGHT_ADMIN!.split(':')[1]);
    expect(targets.sidelight).toBe(`demo:${adminPort}`);
    expect(s.demo!.ports!.map((p) => p.target)).toContain(adminPort);
    const collector = readYaml('otel/collector.yaml') as {
      service: {
        telemetry: { metrics: { readers: { pull: { exporter: { prometheus: { port: number } } } }[] } };
      };
    };
    expect(targets['otel-collector']).toBe(
      `otel-collector:${collector.service.telemetry.metrics.readers[0]!.pull.exporter.prometheus.port}`,
    );
    expect(s.sidelight!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
  });
});

describe('configs the stack mounts', () => {
  it('compose/prometheus/prometheus.yml passes promtool check config', async () => {
    const { stdout } = await run(PROMTOOL_BIN, [
      'check',
      'config',
      `${ROOT}compose/prometheus/prometheus.yml`,
    ]);
    expect(stdout).toContain('SUCCESS');
  });

  it('compose/sidelight/sidelight.yaml passes sidelight validate', async () => {
    const { stdout } = await run(process.execPath, [
      `${ROOT}src/main.ts`,
      'validate',
      `${ROOT}compose/sidelight/sidelight.yaml`,
    ]);
    expect(stdout).toMatch(/: ok \(/);
  });

  it("the demo container's command serves the app, and its healthcheck passes against it", async () => {
    const port = await freePort();
    const [, ...args] = s.demo!.entrypoint!;
    const local = args.map((a) => a.replace("'/app/", `'${ROOT}`).replace('port: 3000', `port: ${port}`));
    const child = spawn(process.execPath, local, { cwd: ROOT, stdio: 'ignore' });
    try {
      const [, ...probe] = s.demo!.healthcheck!.test.slice(1).map((a) => a.replace(':3000/', `:${port}/`));
      const healthy = () =>
        run(process.execPath, probe).then(
          () => true,
          () => false,
        );
      // Poll until it listens: the probe is the thing under test, so it is also the readiness signal.
      let ok = await healthy();
      while (!ok && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 100));
        ok = await healthy();
      }
      expect(ok).toBe(true);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
