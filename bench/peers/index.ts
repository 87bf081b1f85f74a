/** Every contender, in the order they run within a round. */
import { caddyPeer } from './caddy.ts';
import { haproxyPeer } from './haproxy.ts';
import { nginxPeer } from './nginx.ts';
import { bareReference, fastifyPeer, httpProxyPeer, naiveTelemetryContender } from './node-script.ts';
import { type SidelightOptions, sidelightContenders } from './sidelight.ts';
import type { Contender } from './types.ts';

export function allContenders(sidelight: SidelightOptions): Contender[] {
  return [
    bareReference,
    ...sidelightContenders(sidelight),
    naiveTelemetryContender(sidelight.otlpEndpoint),
    nginxPeer,
    haproxyPeer,
    caddyPeer,
    fastifyPeer,
    httpProxyPeer,
  ];
}
