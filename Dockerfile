# One image, several roles (docker-compose.yml picks one with `command:`):
#   workers/main.ts      the saga worker
#   simulators/main.ts   the ESU, Nomapay and AFM simulators
#   console/main.ts      the compliance console
#   api/main.ts          the bookmaker HTTP API
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm install when the lockfile lacks other platforms' optional builds (see scripts/ensure-tools.sh).
RUN npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error

FROM ${NODE_IMAGE} AS app
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY activities ./activities
COPY api ./api
COPY client ./client
COPY codec ./codec
COPY config ./config
COPY console ./console
COPY db ./db
COPY domain ./domain
COPY simulators ./simulators
COPY stack ./stack
COPY workers ./workers
COPY workflows ./workflows
USER node
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["workers/main.ts"]
