/**
 * One iteration of a scenario in k6: its requests (in parallel with
 * `http.batch` when the definition says so), tagged with the route template
 * as `name` so the `url` label stays out of the dashboards, and the summary
 * written as JSON. TARGET is the proxy's base URL (default http://127.0.0.1:8080).
 */
import { check } from 'k6';
import http, { type RefinedParams, type RequestBody, type ResponseType } from 'k6/http';
import type { RequestSpec, ScenarioDefinition } from '../../scenarios/types.ts';

export function target(): string {
  return (__ENV.TARGET || 'http://127.0.0.1:8080').replace(/\/$/, '');
}

function fill(template: string, id: number, extra: Readonly<Record<string, string>>): string {
  // split/join rather than replaceAll: plain ES2015 for k6's JavaScript runtime.
  let out = template.split('{id}').join(String(id)).split('{code}').join(`C${id}`);
  for (const [k, v] of Object.entries(extra)) out = out.split(`{${k}}`).join(v);
  return out;
}

function body(spec: RequestSpec, id: number, extra: Readonly<Record<string, string>>): RequestBody | null {
  if (spec.body === undefined) return null;
  if (spec.body.kind === 'text') return fill(spec.body.text, id, extra);
  return 'a'.repeat(spec.body.bytes);
}

function params(
  spec: RequestSpec,
  id: number,
  extra: Readonly<Record<string, string>>,
): RefinedParams<ResponseType> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = fill(v, id, extra);
  return {
    headers,
    tags: { name: `${spec.method} ${spec.route}` },
    ...(spec.expectedStatuses ? { responseCallback: http.expectedStatuses(...spec.expectedStatuses) } : {}),
  };
}

/** Runs one iteration; `extra` fills further placeholders (S03's `{jwt}`). */
export function iteration(def: ScenarioDefinition, extra: Readonly<Record<string, string>> = {}): void {
  const id = Math.floor(Math.random() * def.idRange) + 1;
  const base = target();
  const reqs = def.iteration.requests;
  if (def.iteration.parallel) {
    const res = http.batch(
      reqs.map((r) => ({
        method: r.method,
        url: base + fill(r.path, id, extra),
        body: body(r, id, extra),
        params: params(r, id, extra),
      })),
    );
    res.forEach((r, i) => {
      check(r, { [`${reqs[i]!.route} answered`]: (x) => x.status >= 200 && x.status < 400 });
    });
    return;
  }
  for (const r of reqs) {
    const res = http.request(
      r.method,
      base + fill(r.path, id, extra),
      body(r, id, extra),
      params(r, id, extra),
    );
    const ok = r.expectedStatuses ?? [];
    check(res, {
      [`${r.route} answered`]: (x) => (ok.length ? ok.includes(x.status) : x.status >= 200 && x.status < 400),
    });
  }
}

/** `handleSummary`: the end-of-test summary as JSON (SUMMARY_FILE, default `<id>-summary.json`) and a stdout line. */
export function summaryWriter(def: ScenarioDefinition): (data: object) => Record<string, string> {
  return (data) => {
    const file = __ENV.SUMMARY_FILE || `${def.id.toLowerCase()}-summary.json`;
    const doc = {
      scenario: def.id,
      name: def.name,
      testid: __ENV.TESTID || def.id.toLowerCase(),
      summary: data,
    };
    return {
      [file]: JSON.stringify(doc, null, 2),
      stdout: `${def.id} ${def.name}: summary written to ${file}\n`,
    };
  };
}
