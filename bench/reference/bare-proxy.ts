/**
 * The bare reference: node:http server + undici Pool.stream pass-through
 * (bare-handler.ts). No routing, no telemetry.
 *
 *   node bench/reference/bare-proxy.ts --upstream http://127.0.0.1:8081 --listen 127.0.0.1:8080
 */
import { serveBare } from './bare-handler.ts';

serveBare();
