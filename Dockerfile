# The subscription hub as a container image: `docker build -t learnworlds-zapier-hub .`
# (or podman). Multi-stage: the hub is compiled in the first stage; the runtime stage holds the
# compiled hub, its console, its migrations and its production dependencies only, and runs as a non-root user.
# The base images are build arguments, so a registry mirror or a local stand-in can take their
# place (CI builds with stand-ins made from Debian's mirror: scripts/container-check.sh).
ARG NODE_IMAGE=docker.io/library/node:22-bookworm-slim
ARG RUNTIME_IMAGE=${NODE_IMAGE}

FROM ${NODE_IMAGE} AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /src
# Dependencies first: this layer is rebuilt only when a lockfile changes.
COPY hub/package.json hub/package-lock.json hub/
RUN cd hub && npm ci
COPY tsconfig.json ./
COPY contract contract
COPY hub/tsconfig.json hub/
COPY hub/src hub/src
RUN cd hub && node node_modules/typescript/bin/tsc -p tsconfig.json && npm prune --omit=dev

FROM ${RUNTIME_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    HUB_DATA_DIR=/data/hub
WORKDIR /app
COPY --from=build /src/hub/package.json ./
COPY --from=build /src/hub/node_modules node_modules
COPY --from=build /src/hub/dist dist
COPY hub/console console
COPY hub/src/db/migrations src/db/migrations
# The embedded store's data directory (unused with DATABASE_URL): mount a volume here.
RUN mkdir -p /data && chown 10001:10001 /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
# /healthz answers 200 while the database answers (node's fetch: the slim image has no curl).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The hub handles SIGTERM itself (stop claiming, finish in-flight sends, close), as PID 1 too.
STOPSIGNAL SIGTERM
CMD ["node", "dist/hub/src/main.js"]
