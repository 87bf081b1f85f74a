/**
 * Route checks that field types cannot express: template syntax, host
 * patterns, rewrite references and unique names. They run inside schema
 * validation, so `sidelight validate` and a reload report them with the exact
 * field path (`routes[2].match.path`) next to every other problem; they reuse
 * the router's own parser, so a config that validates is one the router takes.
 */
import type { z } from 'zod';
import { parseHostPattern, parseTemplate, type Segment } from '../routing/trie.ts';

type Ctx = z.RefinementCtx<unknown>;

/** `match.path`: the router's template syntax. */
export function checkTemplate(template: string, ctx: Ctx): void {
  if (!template.startsWith('/')) return; // reported by startsWith already
  try {
    parseTemplate(template);
  } catch (err) {
    // The parser's message starts by quoting the template; the field path says which one.
    const prefix = `route template ${JSON.stringify(template)}: `;
    const message = (err as Error).message;
    ctx.addIssue({
      code: 'custom',
      message: `invalid route template: ${message.startsWith(prefix) ? message.slice(prefix.length) : message}`,
    });
  }
}

/** `match.hosts[i]`: exact host or `*.suffix`, no port. */
export function checkHostPattern(pattern: string, ctx: Ctx): void {
  try {
    parseHostPattern(pattern);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
}

interface RouteShape {
  match: { path: string };
  rewrite?: { stripPrefix?: string | undefined; replacePath?: string | undefined } | undefined;
}

/** `rewrite`: one of the two, and `replacePath` only refers to what the template captures. */
export function checkRewrite(route: RouteShape, ctx: Ctx): void {
  const rewrite = route.rewrite;
  if (rewrite === undefined) return;
  if (rewrite.stripPrefix !== undefined && rewrite.replacePath !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['rewrite'],
      message: 'set either stripPrefix or replacePath, not both',
    });
    return;
  }
  if (rewrite.replacePath === undefined) return;
  let segments: Segment[];
  try {
    segments = parseTemplate(route.match.path);
  } catch {
    return; // reported at match.path
  }
  const captured = new Set(
    segments.flatMap((s) => (s.kind === 'static' ? [] : s.kind === 'wildcard' ? ['*'] : [s.name])),
  );
  // The same split provision.ts uses to fill the path in.
  for (const ref of rewrite.replacePath.match(/:[A-Za-z_][A-Za-z0-9_]*|\*/g) ?? []) {
    const name = ref === '*' ? '*' : ref.slice(1);
    if (!captured.has(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rewrite', 'replacePath'],
        message:
          name === '*'
            ? `"*" refers to the wildcard, but the template ${JSON.stringify(route.match.path)} has none`
            : `":${name}" is not a parameter of the template ${JSON.stringify(route.match.path)}`,
      });
    }
  }
}

/**
 * `routes[i].name` is unique. Runs even when other fields have problems (so
 * every problem is reported at once), hence it trusts nothing about the shape.
 */
export function checkRouteNames(routes: unknown, ctx: Ctx): void {
  if (!Array.isArray(routes)) return;
  const seen = new Map<string, number>();
  routes.forEach((r: unknown, i) => {
    const name = (r as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'name'],
        message: `duplicate route name "${name}" (first used by routes[${first}])`,
      });
    }
  });
}
