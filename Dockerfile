# One image for every role: `node dist/main.js` runs bot and worker together; compose.yaml (or
# `docker run … node dist/main.js --role bot|worker`) picks a role per container.

# Build stage: the dev dependencies (typescript) compile src/ to dist/ and are left behind.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Final stage: production dependencies and the compiled build only, run by an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The node image's own non-root user; the app writes only to /tmp (CSV reports on their way to Slack).
USER node
EXPOSE 3000
# The bot's /healthz (200 when Redis answers). A worker listens on no port: compose.yaml turns this
# check off for worker containers (with `docker run`, pass --no-healthcheck for --role worker).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/main.js"]
