# One image, several roles (docker-compose.yml picks one with `command:`), all compiled JavaScript:
#   dist/workers/main.js           the saga worker (loads dist/workflow-bundle.js, bundled here at build time)
#   dist/console/main.js           the compliance console and the Temporal UI's codec endpoint
#   dist/api/main.js               the bookmaker HTTP API
#   dist/simulators/main.js        the ESU, Nomapay and AFM simulators (trying the stack only)
#   dist/scripts/setup-temporal.js the namespace and search attributes on the cluster (a job)
ARG NODE_IMAGE=node:20.20-bookworm-slim

# Every dependency, to compile and bundle.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY activities ./activities
COPY api ./api
COPY cli ./cli
COPY client ./client
COPY codec ./codec
COPY config ./config
COPY console ./console
COPY crypto ./crypto
COPY db ./db
COPY domain ./domain
COPY simulators ./simulators
COPY stack ./stack
COPY store ./store
COPY workers ./workers
COPY workflows ./workflows
RUN npm run build

# Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM ${NODE_IMAGE} AS app
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
USER node
ENTRYPOINT ["node"]
CMD ["dist/workers/main.js"]
