/**
 * respond: write the upstream's head to the client and stream the body with
 * backpressure; settles when the last byte is handed to the socket.
 */
import type { RequestContext } from '../context.ts';
import type { Outcome, Phase } from '../outcome.ts';

export const respondPhase: Phase = {
  name: 'respond',
  run(ctx: RequestContext): Promise<Outcome> {
    return ctx.exchange!.stream();
  },
};
