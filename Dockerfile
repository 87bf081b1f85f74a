# Sidelight, the sidecar, as a container image.
#
#   docker build -t sidelight .
#   docker run --init -p 8080:8080 -p 9901:9901 sidelight                       # the demo
#   docker run --init -p 8080:8080 -p 9901:9901 sidelight --upstream http://app:3000
#
# Node 24 runs the TypeScript sources directly (type stripping): there is no
# build step, and the image holds the sources and the production
# dependencies only. test/unit/kit/dockerfile.test.ts checks this file's
# structure and runs its launch and HEALTHCHECK commands against a real
# Sidelight.

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

FROM node:24-slim
# MALLOC_ARENA_MAX=2 is the sidecar's glibc setting (src/cli/sidecar-settings.ts
# says why); in a container the listeners must be reachable from outside it.
ENV NODE_ENV=production MALLOC_ARENA_MAX=2 SIDELIGHT_LISTEN=0.0.0.0:8080 SIDELIGHT_ADMIN=0.0.0.0:9901
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
# The image's unprivileged `node` user (uid 1000); nothing here needs root.
USER node
EXPOSE 8080 9901
# slim has no curl or wget: node itself probes the admin listener.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9901/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is the process that receives SIGTERM and drains (run with
# --init, or `init: true` in compose, so PID 1 also reaps). The V8 flag is the
# sidecar's (src/cli/sidecar-settings.ts).
ENTRYPOINT ["node", "--max-semi-space-size=8", "src/main.ts"]
CMD ["demo"]
