/**
 * The one typed config schema. Every default lives here, next to the field it
 * belongs to; `docs/config.md` is checked against this file by a test.
 *
 * Durations are written as "250ms", "5s", "2m" or a number of milliseconds and
 * come out of parsing as milliseconds.
 */
import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A non-negative duration; `0` disables the timeout it configures. */
export const duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(DURATION, 'expected a duration such as "250ms", "5s" or "2m"'),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = DURATION.exec(v)!;
    return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  });

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/;

/** `host:port` (IPv6 in brackets); port 0 asks the OS for a free port. */
export const listenAddress = z
  .string()
  .regex(HOST_PORT, 'expected host:port, e.g. "127.0.0.1:8080" or "[::1]:8080"')
  .transform((v, ctx) => {
    const m = HOST_PORT.exec(v)!;
    const port = Number(m[3]);
    if (port > 65535) {
      ctx.addIssue({ code: 'custom', message: 'port must be 0..65535' });
      return z.NEVER;
    }
    return { host: (m[1] ?? m[2])!, port };
  });

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'only http:// and https:// upstream endpoints are supported')
  .refine((u) => {
    const url = new URL(u);
    return url.pathname === '/' && !url.search && !url.hash;
  }, 'an endpoint is an origin (scheme://host:port) without path, query or fragment');

export const timeoutsSchema = z
  .object({
    /** TCP (and TLS) connect to an endpoint. */
    connect: duration.default(5_000),
    /** From the request being written until the upstream's response headers arrive. */
    responseHeaders: duration.default(30_000),
    /** Longest gap between two body chunks, either direction. */
    bodyIdle: duration.default(30_000),
    /** The whole exchange, from accept to the last response byte. 0 disables it. */
    total: duration.default(300_000),
  })
  .strict();

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name');
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'header values must not contain CR, LF or NUL');

export const headerOpsSchema = z
  .object({
    /** Appended, keeping what is already there. */
    add: z.record(headerName, headerValue).default({}),
    /** Replaces any existing value. */
    set: z.record(headerName, headerValue).default({}),
    /** Removed (case-insensitive). */
    remove: z.array(headerName).default([]),
  })
  .strict();

const samplingRatio = z.number().min(0).max(1);

export const routeTelemetrySchema = z
  .object({
    /** Root sampling ratio for traces that start at this route (parent-based otherwise). */
    sampling: samplingRatio.optional(),
    /** Emit one INTERNAL span per phase (route, auth, rate_limit, respond). */
    phaseSpans: z.boolean().optional(),
  })
  .strict();

const HTTP_METHOD = z.string().regex(/^[A-Z]+$/, 'methods are upper-case tokens such as GET');

export const routeSchema = z
  .object({
    /** Unique; used in metrics labels and logs. */
    name: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'names are 1-64 of [a-zA-Z0-9_.-]'),
    match: z
      .object({
        /** Template: static segments, `:param`, `:param(regex)`, trailing `*`. */
        path: z.string().startsWith('/', 'a path template starts with "/"'),
        /** Empty: any method. */
        methods: z.array(HTTP_METHOD).default([]),
        /** Exact host (port ignored), or `*.example.com`. Empty: any host. */
        hosts: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    rewrite: z
      .object({
        /** Removed from the start of the path before forwarding. */
        stripPrefix: z.string().startsWith('/').optional(),
        /** The forwarded path, with `:param` references filled from the match. */
        replacePath: z.string().startsWith('/').optional(),
      })
      .strict()
      .optional(),
    timeouts: timeoutsSchema.partial().optional(),
    headers: z
      .object({ request: headerOpsSchema.optional(), response: headerOpsSchema.optional() })
      .strict()
      .optional(),
    telemetry: routeTelemetrySchema.optional(),
  })
  .strict();

export const endpointSchema = z
  .object({
    url: httpUrl,
    /** Relative share of traffic (used by the balancing policy). */
    weight: z.number().int().min(1).max(10_000).default(1),
  })
  .strict();

export const configSchema = z
  .object({
    /** Where clients connect. */
    listen: listenAddress.default({ host: '127.0.0.1', port: 8080 }),
    admin: z
      .object({ listen: listenAddress.default({ host: '127.0.0.1', port: 9901 }) })
      .strict()
      .default({ listen: { host: '127.0.0.1', port: 9901 } }),
    upstream: z
      .object({
        /** The service's name; `server.address` on client spans and metrics. */
        name: z.string().min(1).max(64).default('app'),
        endpoints: z.array(endpointSchema).min(1, 'at least one endpoint is required'),
        /** Keep-alive connections per endpoint. */
        connections: z.number().int().min(1).max(10_000).default(128),
        keepAliveTimeout: duration.default(4_000),
      })
      .strict(),
    /** Defaults for every route; a route's own `timeouts` override field by field. */
    timeouts: timeoutsSchema.default({ connect: 5_000, responseHeaders: 30_000, bodyIdle: 30_000, total: 300_000 }),
    proxy: z
      .object({
        /**
         * How many proxies in front of Sidelight are trusted to have set
         * X-Forwarded-*. 0: client-sent values are dropped and replaced.
         */
        trustedHops: z.number().int().min(0).max(10).default(0),
        /** The pseudonym in `Via` (RFC 9110 §7.6.3). */
        via: z
          .string()
          .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/)
          .default('sidelight'),
        /** Header that carries the request id both ways. */
        requestIdHeader: headerName.default('x-request-id'),
      })
      .strict()
      .default({ trustedHops: 0, via: 'sidelight', requestIdHeader: 'x-request-id' }),
    /**
     * Empty: one catch-all route `default` (`/*`). Otherwise first the most
     * specific match wins (see docs/routing.md).
     */
    routes: z.array(routeSchema).default([]),
    telemetry: z
      .object({
        /** Root sampling ratio (parent-based: an incoming decision wins). */
        sampling: samplingRatio.default(0.1),
        phaseSpans: z.boolean().default(true),
        /** Keep warn/error log records of unsampled traces. */
        keepWarnings: z.boolean().default(true),
        logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        /** How many recent sampled traces the admin `/debug/traces` keeps. */
        recentTraces: z.number().int().min(0).max(10_000).default(100),
      })
      .strict()
      .default({ sampling: 0.1, phaseSpans: true, keepWarnings: true, logLevel: 'info', recentTraces: 100 }),
    shutdown: z
      .object({
        /** How long in-flight requests may take to finish after SIGTERM. */
        drainTimeout: duration.default(30_000),
      })
      .strict()
      .default({ drainTimeout: 30_000 }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.routes.forEach((r, i) => {
      const first = seen.get(r.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'name'],
          message: `duplicate route name "${r.name}" (first at routes.${first})`,
        });
      } else seen.set(r.name, i);
    });
  });

/** What a config file or `defineConfig()` is written as (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>;
/** The validated config with every default filled in. */
export type Config = z.output<typeof configSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type Timeouts = z.output<typeof timeoutsSchema>;
export type HeaderOps = z.output<typeof headerOpsSchema>;
export type ListenAddress = z.output<typeof listenAddress>;
