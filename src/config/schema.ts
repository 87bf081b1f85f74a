/**
 * The one typed config schema. Every default lives here, next to the field it
 * belongs to, written the way a config file would write it (`'5s'`, not 5000);
 * every field carries its description, and `docs/config.md` is generated from
 * this file (`npm run docs:config`; a test fails when they drift).
 *
 * Durations are written as "250ms", "5s", "2m" or a number of milliseconds and
 * come out of parsing as milliseconds.
 *
 * Object defaults use `.prefault({})`: the empty object is parsed like a file's
 * would be, so each field's own default applies and none is written twice.
 */
import { z } from 'zod';
import { checkHostPattern, checkRewrite, checkRouteNames, checkTemplate } from './route-checks.ts';
import { secret } from './secret-marks.ts';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_HINT = 'expected a duration such as "250ms", "5s" or "2m" (or a number of milliseconds)';

/** What a TypeScript config may write for a duration (tsc rejects `'5 sec'`). */
export type DurationInput = number | `${number}${'ms' | 's' | 'm' | 'h'}`;

/** A non-negative duration in milliseconds; `0` disables the timeout it configures. */
export const duration = z
  .union([z.number(), z.string()], { error: DURATION_HINT })
  .transform((v, ctx) => {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0) return v;
      ctx.addIssue({
        code: 'custom',
        message: `${DURATION_HINT}; a number must be a whole, non-negative count`,
      });
      return z.NEVER;
    }
    const m = DURATION.exec(v.trim());
    if (m === null) {
      ctx.addIssue({ code: 'custom', message: `${DURATION_HINT}, not ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  })
  .meta({ docType: 'duration' }) as unknown as z.ZodType<number, DurationInput>;

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/;
const LISTEN_HINT = 'expected host:port, e.g. "127.0.0.1:8080" or "[::1]:8080"';

/** `host:port` (IPv6 in brackets); port 0 asks the OS for a free port. */
export const listenAddress = z
  .string({ error: LISTEN_HINT })
  .transform((v, ctx) => {
    const m = HOST_PORT.exec(v);
    if (m === null) {
      ctx.addIssue({ code: 'custom', message: `${LISTEN_HINT}, not ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    const port = Number(m[3]);
    if (port > 65535) {
      ctx.addIssue({ code: 'custom', message: `${LISTEN_HINT}; port ${port} is out of range 0..65535` });
      return z.NEVER;
    }
    return { host: (m[1] ?? m[2])!, port };
  })
  .meta({ docType: 'host:port' }) as unknown as z.ZodType<
  { host: string; port: number },
  `${string}:${number}`
>;

/** An upstream origin. Messages never echo the value: it may carry credentials. */
const httpUrl = z
  .string({ error: 'expected an http:// or https:// URL' })
  .superRefine((u, ctx) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a valid URL (expected e.g. "http://127.0.0.1:3000")' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: 'only http:// and https:// upstream endpoints are supported' });
    } else if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      ctx.addIssue({
        code: 'custom',
        message: 'an endpoint is an origin (scheme://host:port) without path, query or fragment',
      });
    }
  })
  // userinfo (`http://user:password@host`) is a credential: src/security/redact.ts.
  .meta({ docType: 'URL', ...secret('userinfo') });

const TIMEOUT_DOCS = {
  connect: 'TCP (and TLS) connect to an endpoint.',
  responseHeaders: "From the request being written until the upstream's response headers arrive.",
  bodyIdle: 'Longest gap between two body chunks, either direction.',
  total: 'The whole exchange, from accept to the last response byte. 0 disables it.',
} as const;

export const timeoutsSchema = z
  .object({
    connect: duration.prefault('5s').describe(TIMEOUT_DOCS.connect),
    responseHeaders: duration.prefault('30s').describe(TIMEOUT_DOCS.responseHeaders),
    bodyIdle: duration.prefault('30s').describe(TIMEOUT_DOCS.bodyIdle),
    total: duration.prefault('5m').describe(TIMEOUT_DOCS.total),
  })
  .strict();

/** A route's timeouts: no defaults of their own, so unset fields inherit the top-level `timeouts`. */
const routeTimeoutsSchema = z
  .object({
    connect: duration.optional().describe(`${TIMEOUT_DOCS.connect} Unset: \`timeouts.connect\`.`),
    responseHeaders: duration
      .optional()
      .describe(`${TIMEOUT_DOCS.responseHeaders} Unset: \`timeouts.responseHeaders\`.`),
    bodyIdle: duration.optional().describe(`${TIMEOUT_DOCS.bodyIdle} Unset: \`timeouts.bodyIdle\`.`),
    total: duration.optional().describe(`${TIMEOUT_DOCS.total} Unset: \`timeouts.total\`.`),
  })
  .strict();

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = z.string().regex(TOKEN, 'not a valid header name (RFC 9110 token characters only)');
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'header values must not contain CR, LF or NUL');

export const headerOpsSchema = z
  .object({
    add: z
      .record(headerName, headerValue)
      .meta(secret('header-values'))
      .default({})
      .describe(
        'Appended, keeping what is already there. Values of credential headers are secrets (see Secrets).',
      ),
    set: z
      .record(headerName, headerValue)
      .meta(secret('header-values'))
      .default({})
      .describe('Replaces any existing value. Values of credential headers are secrets (see Secrets).'),
    remove: z.array(headerName).default([]).describe('Removed (names are case-insensitive).'),
  })
  .strict();

const samplingRatio = z.number().min(0).max(1);

export const routeTelemetrySchema = z
  .object({
    sampling: samplingRatio
      .optional()
      .describe('Root sampling ratio for traces that start at this route. Unset: `telemetry.sampling`.'),
    phaseSpans: z
      .boolean()
      .optional()
      .describe(
        'Emit one INTERNAL span per phase (accept, route, upstream, respond, finish; auth and rate_limit planned). Unset: `telemetry.phaseSpans`.',
      ),
  })
  .strict();

const HTTP_METHOD = z.string().regex(/^[A-Z]+$/, 'methods are upper-case tokens such as GET');

export const routeSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'names are 1-64 of [a-zA-Z0-9_.-]')
      .describe('Unique, 1-64 of `[a-zA-Z0-9_.-]`; used in metrics labels and logs.'),
    match: z
      .object({
        path: z
          .string()
          .startsWith('/', 'a path template starts with "/"')
          .superRefine(checkTemplate)
          .describe(
            'Template: static segments, `:param`, `:param(regex)`, trailing `*` (see docs/routing.md). ' +
              'It is `http.route` on spans and metrics.',
          ),
        methods: z.array(HTTP_METHOD).default([]).describe('Upper-case methods. Empty: any method.'),
        hosts: z
          .array(z.string().superRefine(checkHostPattern))
          .default([])
          .describe('Exact host (port ignored), or `*.example.com`. Empty: any host.'),
      })
      .strict()
      .describe('What the route matches.'),
    rewrite: z
      .object({
        stripPrefix: z
          .string()
          .startsWith('/')
          .optional()
          .describe('Removed from the start of the path before forwarding.'),
        replacePath: z
          .string()
          .startsWith('/')
          .optional()
          .describe('The forwarded path; `:param` and `*` are filled from the match.'),
      })
      .strict()
      .optional()
      .describe('How the path is changed before it is forwarded (one of the two).'),
    timeouts: routeTimeoutsSchema
      .optional()
      .describe('Override the top-level `timeouts` field by field for this route.'),
    headers: z
      .object({
        request: headerOpsSchema.optional().describe('Applied to the request sent upstream.'),
        response: headerOpsSchema.optional().describe('Applied to the response sent to the client.'),
      })
      .strict()
      .optional()
      .describe('Header changes for this route.'),
    telemetry: routeTelemetrySchema.optional().describe('Override the top-level `telemetry` for this route.'),
  })
  .strict()
  .superRefine(checkRewrite);

export const endpointSchema = z
  .object({
    url: httpUrl.describe(
      'The origin, e.g. `http://127.0.0.1:3000`. `user:password@` in it is sent as Basic auth ' +
        '(unless the request carries its own `Authorization`) and is redacted everywhere (see Secrets).',
    ),
    weight: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1)
      .describe('Relative share of traffic (used by the balancing policy).'),
  })
  .strict();

export const configSchema = z
  .object({
    listen: listenAddress
      .prefault('127.0.0.1:8080')
      .describe('Where clients connect. Changing it needs a restart.'),
    admin: z
      .object({
        listen: listenAddress
          .prefault('127.0.0.1:9901')
          .describe('The admin listener (metrics, health, config). Changing it needs a restart.'),
      })
      .strict()
      .prefault({})
      .describe('The admin listener.'),
    upstream: z
      .object({
        name: z
          .string()
          .min(1)
          .max(64)
          .default('app')
          .describe("The service's name; `server.address` on client spans and metrics."),
        endpoints: z
          .array(endpointSchema)
          .min(1, 'at least one endpoint is required')
          .describe('Where the service listens; at least one.'),
        connections: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(128)
          .describe('Keep-alive connections per endpoint.'),
        keepAliveTimeout: duration.prefault('4s').describe('How long an idle upstream connection is kept.'),
      })
      .strict()
      .describe('The one service Sidelight fronts (required).'),
    timeouts: timeoutsSchema
      .prefault({})
      .describe(
        "Defaults for every route; a route's own `timeouts` override field by field. Every timeout " +
          'is a Node timer with millisecond resolution: it fires within a few ms of its value, ' +
          'sub-second values included (tested at 50 ms, 300 ms and 1 s).',
      ),
    proxy: z
      .object({
        trustedHops: z
          .number()
          .int()
          .min(0)
          .max(10)
          .default(0)
          .describe(
            'How many proxies in front of Sidelight are trusted to have set X-Forwarded-*. ' +
              '0: client-sent values are dropped and replaced.',
          ),
        via: z
          .string()
          .regex(TOKEN, 'a Via pseudonym is a token (letters, digits, -._~ and the like)')
          .default('sidelight')
          .describe('The pseudonym in `Via` (RFC 9110 §7.6.3).'),
        requestIdHeader: headerName
          .default('x-request-id')
          .describe('Header that carries the request id both ways.'),
      })
      .strict()
      .prefault({})
      .describe('Forwarding behaviour.'),
    routes: z
      .array(routeSchema)
      .default([])
      .superRefine(checkRouteNames, { when: () => true })
      .describe(
        'Empty: one catch-all route `default` (`/*`). Otherwise the most specific match wins (see docs/routing.md).',
      ),
    telemetry: z
      .object({
        sampling: samplingRatio
          .default(0.1)
          .describe('Root sampling ratio (parent-based: an incoming decision wins).'),
        phaseSpans: z
          .boolean()
          .default(true)
          .describe(
            'Emit one INTERNAL span per proxy phase (accept, route, upstream, respond, finish; auth and rate_limit planned).',
          ),
        keepWarnings: z.boolean().default(true).describe('Keep warn/error log records of unsampled traces.'),
        traceResponseHeader: z
          .union([headerName, z.literal('')])
          .default('traceresponse')
          .describe(
            'Response header that names the trace of each request (W3C Trace Context Level 2 ' +
              '`traceresponse`: `00-{trace id}-{span id}-{flags}`), sampled or not. Empty: not sent.',
          ),
        logLevel: z
          .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
          .default('info')
          .describe('Minimum level of the JSON log on stdout.'),
        recentTraces: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(100)
          .describe('How many recent sampled traces the admin `/debug/traces` keeps. Read at start.'),
      })
      .strict()
      .prefault({})
      .describe('Traces, logs and metrics.'),
    shutdown: z
      .object({
        drainDelay: z
          .union([z.literal('auto'), duration], {
            error: `expected "auto" or a duration such as "5s" (or a number of milliseconds)`,
          })
          .prefault('auto')
          .meta({ docType: 'duration or "auto"' })
          .describe(
            'After SIGTERM, how long the listener keeps accepting while readiness already answers 503, so load balancers stop sending first. `auto`: 5s in a Kubernetes pod (`KUBERNETES_SERVICE_HOST` set), 0 elsewhere. A second signal ends it early. See docs/shutdown.md.',
          ),
        drainTimeout: duration
          .prefault('30s')
          .describe(
            'How long in-flight requests may take to finish once the listener has stopped accepting (after the drain delay).',
          ),
      })
      .strict()
      .prefault({})
      .describe('Graceful shutdown.'),
  })
  .strict();

/** What a config file or `defineConfig()` is written as (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;
/** The validated config with every default filled in. */
export type Config = z.output<typeof configSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type Timeouts = z.output<typeof timeoutsSchema>;
export type HeaderOps = z.output<typeof headerOpsSchema>;
export type ListenAddress = z.output<typeof listenAddress>;
