# syntax=docker/dockerfile:1
# Rollcall: OneRoster 1.1/1.2 roster hub. Runs TypeScript through tsx (a runtime dependency), so
# the build stage only installs production dependencies; the runtime stage runs as a non-root user.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# The heap budget of `npm start` (docs/operations.md, "Memory"): V8 then collects before growing
# the heap to several times what is live. Override NODE_OPTIONS to change it.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=768 \
    PORT=8080 \
    ROLLCALL_DATA_DIR=/var/lib/rollcall
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
RUN mkdir -p /var/lib/rollcall && chown node:node /var/lib/rollcall
USER node
EXPOSE 8080
VOLUME ["/var/lib/rollcall"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/rollcall.js"]
CMD ["serve"]
